import { createHash } from 'node:crypto';
import type { Submission } from '../proxy/submission-guard.ts';

/**
 * What a Kratos submission means to the guard:
 * - `signIn`: a password or code guess for an identifier (login); counted per identifier+IP,
 *   per identifier and per IP, and, when it carries a code, per flow;
 * - `codeGuess`: a code submitted in registration, recovery or verification; counted per flow
 *   (and per IP, except verification, whose success Kratos answers like a failure);
 * - `codeSend`: a submission that makes Kratos mail a code (first send or `resend=code`);
 * - `other`: only the per-IP bucket applies.
 */
export type SubmissionClass =
  | { type: 'signIn'; identifier: string; withCode: boolean }
  | { type: 'codeGuess'; countsForIp: boolean }
  | { type: 'codeSend'; address: string | undefined }
  | { type: 'other' };

/** Identifiers differ only by case and surrounding spaces for Kratos' email identifiers. */
export function normalizeIdentifier(value: string): string {
  return value.normalize('NFKC').trim().toLowerCase();
}

/** Keys and logs carry this instead of the identifier itself (invariant 7 and privacy). */
export function hashIdentifier(normalized: string): string {
  return createHash('sha256').update(normalized).digest('base64url').slice(0, 22);
}

/** `a***@example.test`: enough for an operator to recognise, not enough to harvest addresses. */
export function maskIdentifier(normalized: string): string {
  const at = normalized.lastIndexOf('@');
  if (at > 0) return `${normalized[0]}***${normalized.slice(at)}`;
  return normalized.length <= 2 ? '***' : `${normalized[0]}***${normalized.at(-1)}`;
}

/**
 * How audit events name a sign-in identifier (docs/events.md): masked as `subject`, with the
 * stable hash as `identifierHash` for correlation; never the identifier itself.
 */
export function auditIdentifier(identifier: string): { subject: string; identifierHash: string } {
  const normalized = normalizeIdentifier(identifier);
  return { subject: maskIdentifier(normalized), identifierHash: hashIdentifier(normalized) };
}

export function classifySubmission({ kind, fields }: Submission): SubmissionClass {
  const method = fields.method ?? '';
  const code = fields.code ?? '';
  // Kratos still accepts the legacy `password_identifier` when `identifier` is empty.
  const loginIdentifier = fields.identifier || fields.password_identifier || '';
  const address = loginIdentifier || fields['traits.email'] || fields.email || undefined;
  if (kind === 'login') {
    const identifier = normalizeIdentifier(loginIdentifier);
    if (method === 'password' && identifier && fields.password) return { type: 'signIn', identifier, withCode: false };
    if (method === 'code' || fields.resend === 'code') {
      if (fields.resend === 'code' || !code) return { type: 'codeSend', address: address && normalizeIdentifier(address) };
      if (identifier) return { type: 'signIn', identifier, withCode: true };
      return { type: 'codeGuess', countsForIp: true };
    }
    return { type: 'other' };
  }
  if (kind === 'settings') return { type: 'other' };
  if (method !== 'code' && fields.resend !== 'code') return { type: 'other' };
  if (fields.resend === 'code' || !code) {
    // Registration's second screen and the code screens re-submit the hidden address with the code.
    return { type: 'codeSend', address: address && normalizeIdentifier(address) };
  }
  return { type: 'codeGuess', countsForIp: kind !== 'verification' };
}
