import type { FastifyReply, FastifyRequest } from 'fastify';

/** The Kratos self-service flows whose submissions pass through the hub. */
export type SubmissionKind = 'login' | 'registration' | 'recovery' | 'verification' | 'settings';

/** A browser submission to Kratos, parsed once so the guard can read its fields. */
export interface Submission {
  kind: SubmissionKind;
  flowId: string | undefined;
  /** Form or JSON fields; empty for bodies that are neither. */
  fields: Record<string, string>;
  ip: string;
}

/** What Kratos answered, for the guard to decide success or failure. */
export interface KratosAnswer {
  status: number;
  /** True when Kratos set a session cookie (a successful sign-in or registration). */
  setSession: boolean;
  location: string | undefined;
}

/**
 * SubmissionGuard sees every proxied Kratos submission before it is forwarded (and may refuse
 * it by throwing an SsoHubError) and after Kratos answered (to count failures).
 */
export interface SubmissionGuard {
  before(submission: Submission, request: FastifyRequest): Promise<void>;
  after(submission: Submission, answer: KratosAnswer, request: FastifyRequest, reply: FastifyReply): Promise<void>;
}

export const allowAllSubmissions: SubmissionGuard = {
  async before() {},
  async after() {},
};
