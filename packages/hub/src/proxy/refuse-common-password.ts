import type { FastifyReply, FastifyRequest } from 'fastify';
import { wantsJson } from '../errors/error-format.ts';
import { SsoHubError } from '../errors/ssohub-error.ts';
import { text } from '../i18n/translate.ts';
import { setNotice } from '../login/flow-notice.ts';
import { isCommonPassword } from '../password/common-passwords.ts';
import type { Submission } from './submission-guard.ts';

/**
 * Kratos calls no hook to judge a new password, and its own breach check asks a third-party API
 * (off in kratos.yml), so the proxy refuses a password on the shipped list before Kratos sees it:
 * at registration and in settings, where recovery ends too (its last step is the settings flow's
 * password form). Kratos still checks length and similarity to the identifier.
 */
export function isCommonPasswordSubmission({ kind, fields }: Submission): boolean {
  if (kind !== 'registration' && kind !== 'settings') return false;
  // Kratos stores the password only for the password method; other methods ignore the field.
  return fields.method === 'password' && isCommonPassword(fields.password ?? '');
}

/**
 * Answers a refused submission without forwarding it (the password never reaches Kratos, nor any
 * log): a browser goes back to the same flow page, which says why (flow notice
 * `password_common`; the flow is as it was before this submission); an API caller gets a 400.
 */
export function refuseCommonPassword(submission: Submission, request: FastifyRequest, reply: FastifyReply, { secure }: { secure: boolean }): FastifyReply {
  const json = wantsJson(request) || String(request.headers['content-type'] ?? '').toLowerCase().startsWith('application/json');
  request.log.info({ flow: submission.kind, flowId: submission.flowId }, 'refused a new password on the common-password list');
  if (json) throw new SsoHubError('SSOHUB_ERR_VALIDATION', text('password.common_refused'), { status: 400 });
  setNotice(reply, 'password_common', { secure });
  // A flow id is Kratos' UUID; anything else starts a fresh flow rather than landing in the URL.
  const flow = submission.flowId && /^[0-9a-f-]{36}$/i.test(submission.flowId) ? `?flow=${submission.flowId}` : '';
  return reply.code(303).header('cache-control', 'no-store').header('location', `/${submission.kind}${flow}`).send();
}
