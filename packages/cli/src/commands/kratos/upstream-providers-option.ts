import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { kratosOidcMethod, parseUpstreamProviders, upstreamCallbackUrl, type UpstreamProvider } from '@ssohub/hub/config';
import { parse as parseYaml } from 'yaml';
import { CliError } from '../../errors/cli-error.ts';
import { EXIT } from '../../errors/exit-codes.ts';
import { readTextFile } from '../../files/read-text-file.ts';

/**
 * `ssohub kratos config --upstream-providers <file>`: the upstream OpenID providers (a YAML or
 * JSON file with an `upstreamProviders` list) become Kratos' oidc method in the site file.
 * A clientSecretFile is read relative to the providers file; secrets go into the site file
 * (mode 0600) and nowhere else: the summary names providers, issuers and callback URLs only.
 */
export async function upstreamProvidersFromFile(file: string | undefined): Promise<UpstreamProvider[]> {
  if (file === undefined) return [];
  const text = await readTextFile(file, 'the upstream providers file');
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new CliError(EXIT.USAGE, `--upstream-providers ${file} is not YAML or JSON: ${(err as Error).message}`);
  }
  const base = dirname(resolve(file));
  const { providers, problems } = parseUpstreamProviders(doc, (secretFile) => readFileSync(resolve(base, secretFile), 'utf8'));
  if (problems.length) throw new CliError(EXIT.USAGE, `--upstream-providers ${file} is invalid:\n  - ${problems.join('\n  - ')}`);
  return providers;
}

/** Adds the oidc method to the site file's selfservice.methods (nothing when there are no providers). */
export function addUpstreamProviders(site: Record<string, unknown>, providers: readonly UpstreamProvider[], hubUrl: string): void {
  if (!providers.length) return;
  const selfservice = site.selfservice as Record<string, unknown>;
  selfservice.methods = { ...(selfservice.methods as Record<string, unknown> | undefined), ...kratosOidcMethod(providers, hubUrl) };
}

/** What the summary shows of each provider: no secret. */
export function describeUpstreamProviders(providers: readonly UpstreamProvider[], hubUrl: string): { id: string; label: string; issuer: string; callback: string }[] {
  return providers.map((p) => ({ id: p.id, label: p.label, issuer: p.issuer, callback: upstreamCallbackUrl(hubUrl, p.id) }));
}
