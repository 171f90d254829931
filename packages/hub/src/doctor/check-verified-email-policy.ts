import { type DoctorCheck, fail, ok, warn } from './doctor-check.ts';
import { type KratosConfig, resolveKratosSetting } from './read-kratos-config.ts';

const ID = 'bridge.verified_email';
const ENABLED = ['selfservice', 'flows', 'verification', 'enabled'];
const USE = ['selfservice', 'flows', 'verification', 'use'];

/**
 * Reports the verified-address policy (`bridge.requireVerifiedEmail`, decision 0016) and, while
 * it is on, whether Kratos can do what it asks: with Kratos' verification flow off, a user with an
 * unverified address could never finish an app's sign-in, so that is a failure. Kratos reads
 * `SELFSERVICE_FLOWS_VERIFICATION_ENABLED` and `_USE` from its environment too, which the hub
 * cannot see: the files decide here.
 */
export function checkVerifiedEmailPolicy({ required, config }: { required: boolean; config: KratosConfig }): DoctorCheck {
  if (!required) {
    return ok(ID, 'off (bridge.requireVerifiedEmail: false): users who have not verified their address reach apps with email_verified false, which some apps (oauth2-proxy) refuse');
  }
  const on = 'on: a user whose address is not verified verifies it by code before an app sign-in completes, so apps receive email_verified true';
  if (config.files.length === 0) return ok(ID, `${on} (Kratos' verification flow not checked: kratos.configFiles is empty)`);
  const enabled = resolveKratosSetting(config, ENABLED, { name: 'SELFSERVICE_FLOWS_VERIFICATION_ENABLED', value: undefined });
  if (enabled.kind === 'unknown') {
    return warn(ID, `${on}; cannot tell whether Kratos' verification flow is enabled: ${enabled.path} cannot be read (${enabled.error})`, 'let the doctor read every file of kratos.configFiles');
  }
  // Production layouts give the hub only Kratos' site file (the base file, deploy/kratos/kratos.yml,
  // which turns verification on, stays with Kratos): a setting the hub cannot see is a warning,
  // one it sees turned off is a failure.
  if (enabled.kind !== 'set') {
    return warn(
      ID,
      `${on}; selfservice.flows.verification.enabled is not set in the files the hub reads (${config.files.map((f) => f.path).join(', ')}): Kratos' default is off, SSO Hub's base file deploy/kratos/kratos.yml turns it on`,
      'make sure Kratos reads deploy/kratos/kratos.yml (or sets selfservice.flows.verification.enabled: true), and list it in kratos.configFiles so the doctor can check',
    );
  }
  if (enabled.value !== true) {
    return fail(
      ID,
      `${on}, but Kratos' verification flow is off (selfservice.flows.verification.enabled is ${JSON.stringify(enabled.value)} in ${enabled.source}): users with an unverified address cannot finish any app sign-in`,
      'set selfservice.flows.verification.enabled: true (and use: code) in the Kratos config, or bridge.requireVerifiedEmail: false',
    );
  }
  const use = resolveKratosSetting(config, USE, { name: 'SELFSERVICE_FLOWS_VERIFICATION_USE', value: undefined });
  if (use.kind === 'set' && use.value !== 'code') {
    return warn(ID, `${on}; Kratos verifies by ${JSON.stringify(use.value)} (${use.source}), while the hub's pages say a code is on its way`, 'set selfservice.flows.verification.use: code in the Kratos config');
  }
  return ok(ID, on);
}
