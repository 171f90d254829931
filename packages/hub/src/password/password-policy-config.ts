import type { ConfigProblems } from '../config/config-problems.ts';
import { defaultsFromSchema } from '../config/defaults-from-schema.ts';

/**
 * What a new password must be (issue #21). Kratos enforces the length and the similarity to the
 * identifier (its `selfservice.methods.password.config`, written into the site file by
 * `ssohub kratos config` and the test kit); the hub's proxy refuses passwords on the shipped list
 * of common ones (proxy/refuse-common-password.ts).
 */
export interface PasswordPolicyConfig {
  /** Kratos' `min_password_length`. */
  minLength: number;
}

/**
 * 8 is NIST SP 800-63B's floor (Kratos' own allows 6); 64 is the length NIST asks every service
 * to accept, so a larger minimum would refuse passwords that must be allowed.
 */
export const PASSWORD_MIN_LENGTH_BOUNDS = { min: 8, max: 64 } as const;

export function checkPasswordPolicyConfig(p: ConfigProblems, input: Partial<PasswordPolicyConfig>): PasswordPolicyConfig {
  const minLength = p.integer('passwordPolicy.minLength', input.minLength ?? defaultsFromSchema('passwordPolicy.minLength'), PASSWORD_MIN_LENGTH_BOUNDS);
  return { minLength };
}

/** What the policy sets in Kratos' `selfservice.methods` (the site file's, merged over kratos.yml's). */
export function kratosPasswordMethod(policy: PasswordPolicyConfig): { password: { config: { min_password_length: number } } } {
  return { password: { config: { min_password_length: policy.minLength } } };
}
