import { createHmac, timingSafeEqual } from 'node:crypto';
import { SsoClientError } from '../errors.ts';

/** SignInTransaction is what a pending sign-in must remember until its callback. */
export interface SignInTransaction {
  state: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string;
  /** The acr_values asked for, if any. */
  acrValues?: string;
  /** The sign-in span's W3C trace context, when the app traces: the callback continues its trace. */
  traceparent?: string;
  /** Seconds since the epoch after which the callback is refused. */
  expiresAt: number;
}

/** How long a sign-in may take, from redirect to callback, in seconds. */
export const TRANSACTION_TTL = 600;

function mac(secret: string, clientId: string, payload: string): Buffer {
  // The client id is part of the MAC input: apps that (wrongly) share a secret still cannot
  // replay each other's transaction cookies.
  return createHmac('sha256', secret).update(`ssohub-tx.${clientId}.${payload}`).digest();
}

/**
 * sealTransaction serializes and signs a transaction (HMAC-SHA256 with the first secret). The
 * cookie is signed, not encrypted: it holds nothing the browser that owns it may not know.
 */
export function sealTransaction(tx: SignInTransaction, secrets: readonly string[], clientId: string): string {
  const payload = Buffer.from(JSON.stringify(tx)).toString('base64url');
  return `${payload}.${mac(secrets[0]!, clientId, payload).toString('base64url')}`;
}

/**
 * openTransaction checks the signature against every secret (rotation) and the expiry, and
 * returns the transaction. Any failure is `SSOHUB_CLIENT_ERR_TRANSACTION_INVALID`.
 */
export function openTransaction(value: string, secrets: readonly string[], clientId: string, now = Date.now() / 1000): SignInTransaction {
  const invalid = (why: string) => new SsoClientError('SSOHUB_CLIENT_ERR_TRANSACTION_INVALID', `sign-in transaction cookie ${why}; start the sign-in again`, { status: 400 });
  const dot = value.indexOf('.');
  if (dot <= 0) throw invalid('is malformed');
  const payload = value.slice(0, dot);
  const signature = Buffer.from(value.slice(dot + 1), 'base64url');
  const valid = secrets.some((secret) => {
    const expected = mac(secret, clientId, payload);
    return expected.length === signature.length && timingSafeEqual(expected, signature);
  });
  if (!valid) throw invalid('has a bad signature');
  let tx: SignInTransaction;
  try {
    tx = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as SignInTransaction;
  } catch (cause) {
    throw new SsoClientError('SSOHUB_CLIENT_ERR_TRANSACTION_INVALID', 'sign-in transaction cookie is malformed', { status: 400, cause });
  }
  if (typeof tx.expiresAt !== 'number' || tx.expiresAt <= now) throw invalid('has expired');
  return tx;
}

/**
 * The trace context a transaction carries, read before its signature is checked: only to parent
 * the callback's span, which then checks the transaction as always. A forged value can at most
 * attach that span to another trace.
 */
export function peekTraceparent(value: string): string | undefined {
  const dot = value.indexOf('.');
  if (dot <= 0) return undefined;
  try {
    const tx = JSON.parse(Buffer.from(value.slice(0, dot), 'base64url').toString('utf8')) as { traceparent?: unknown };
    return typeof tx.traceparent === 'string' ? tx.traceparent : undefined;
  } catch {
    return undefined;
  }
}
