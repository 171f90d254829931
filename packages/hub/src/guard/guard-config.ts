import type { ConfigProblems } from '../config/config-problems.ts';
import type { DeepPartial } from '../config/hub-config.ts';

/** Configuration of throttling and lockout on the login domain. */
export interface GuardConfig {
  enabled: boolean;
}

export function checkGuardConfig(p: ConfigProblems, input: DeepPartial<GuardConfig>, _ctx: { mode: string }): GuardConfig {
  return { enabled: p.boolean('guard.enabled', input.enabled ?? true) };
}
