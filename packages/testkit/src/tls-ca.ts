import { createHash, X509Certificate } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import tls from 'node:tls';
import { generate } from 'selfsigned';

export interface TestCertificates {
  /** PEM of the test CA; trust it and nothing else extra. */
  caPem: string;
  /** PEM of the leaf certificate for the hub and the test apps (CA-signed). */
  certPem: string;
  keyPem: string;
  /** base64 SHA-256 of the leaf's SubjectPublicKeyInfo, for Chromium's --ignore-certificate-errors-spki-list. */
  spkiHash: string;
}

// Node's TLS check refuses a wildcard that spans a whole top-level domain (`*.test`), so every
// host the tests use is also listed by name; the wildcards serve Chromium and ad-hoc names.
const SUBJECT_NAMES = [
  'login.sso.test',
  'app-a.test',
  'shop-b.example',
  'app-c.test',
  'evil.example',
  'localhost',
  '*.sso.test',
  '*.test',
  '*.example',
  '*.localhost',
];

/**
 * Creates (once per cache folder) a test CA and a leaf certificate for the unrelated host names
 * the tests use. The CA lives only in the test kit's cache; nothing is installed system-wide.
 */
export async function createTestCertificates(cacheDir: string): Promise<TestCertificates> {
  // The folder name changes with the name list, so adding a host regenerates the pair.
  const dir = join(cacheDir, `tls-${createHash('sha256').update(SUBJECT_NAMES.join(',')).digest('hex').slice(0, 8)}`);
  const files = { ca: join(dir, 'ca.pem'), cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') };
  try {
    const [caPem, certPem, keyPem] = await Promise.all([
      readFile(files.ca, 'utf8'),
      readFile(files.cert, 'utf8'),
      readFile(files.key, 'utf8'),
    ]);
    const leaf = new X509Certificate(certPem);
    if (new Date(leaf.validTo).getTime() > Date.now() + 86_400_000) {
      return { caPem, certPem, keyPem, spkiHash: spkiHashOf(leaf) };
    }
  } catch {
    // no cached pair yet: create one below
  }
  const notAfterDate = new Date(Date.now() + 90 * 86_400_000);
  const ca = await generate([{ name: 'commonName', value: 'SSO Hub Test CA' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const leafPems = await generate([{ name: 'commonName', value: 'login.sso.test' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notAfterDate,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [...SUBJECT_NAMES.map((value) => ({ type: 2 as const, value })), { type: 7, ip: '127.0.0.1' }],
      },
    ],
  });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await Promise.all([
    writeFile(files.ca, ca.cert),
    writeFile(files.cert, leafPems.cert),
    writeFile(files.key, leafPems.private, { mode: 0o600 }),
  ]);
  return {
    caPem: ca.cert,
    certPem: leafPems.cert,
    keyPem: leafPems.private,
    spkiHash: spkiHashOf(new X509Certificate(leafPems.cert)),
  };
}

function spkiHashOf(cert: X509Certificate): string {
  const spki = cert.publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

/** Adds the test CA to this process's default trust store (fetch, https, axios, tls.connect). */
export function trustTestCa(caPem: string): void {
  const system = tls.getCACertificates('default');
  if (system.includes(caPem)) return;
  tls.setDefaultCACertificates([...system, caPem]);
}
