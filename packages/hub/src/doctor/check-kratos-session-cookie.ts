import { KRATOS_DEFAULT_SESSION_COOKIE } from '../config/hub-config.ts';
import { type DoctorCheck, fail, ok, warn } from './doctor-check.ts';
import { type KratosConfig, resolveKratosSetting } from './read-kratos-config.ts';

/**
 * Compares the hub's `kratos.sessionCookieName` with the session cookie Kratos is configured to
 * set: the `SESSION_COOKIE_NAME` variable beats every file, among files the last one that sets
 * `session.cookie.name` wins, and Kratos' default applies otherwise. A mismatch is a failure: the
 * guard would see every successful sign-in as a failed one and lock accounts out.
 */
export function checkKratosSessionCookie({
  config,
  envName,
  configured,
}: {
  config: KratosConfig;
  envName: string | undefined;
  configured: string;
}): DoctorCheck[] {
  if (config.files.length === 0 && !envName) {
    return configured === KRATOS_DEFAULT_SESSION_COOKIE
      ? []
      : [warn('kratos.session_cookie', `kratos.sessionCookieName is "${configured}" and cannot be compared: kratos.configFiles is empty`, "set SSOHUB_KRATOS_CONFIG_FILES to the files Kratos is started with")];
  }
  const setting = resolveKratosSetting(config, ['session', 'cookie', 'name'], { name: 'SESSION_COOKIE_NAME', value: envName });
  let name = KRATOS_DEFAULT_SESSION_COOKIE;
  let source = "Kratos' default";
  if (setting.kind === 'unknown') {
    return [warn('kratos.session_cookie', `cannot tell which session cookie Kratos sets: ${setting.path} cannot be read (${setting.error}) and may set session.cookie.name`, `let the doctor read every file of kratos.configFiles, or compare session.cookie.name by hand with kratos.sessionCookieName ("${configured}")`)];
  }
  if (setting.kind === 'set') {
    if (typeof setting.value !== 'string') {
      return [warn('kratos.session_cookie', `cannot tell which session cookie Kratos sets: session.cookie.name in ${setting.source} is not a string`, `write session.cookie.name as a string, or compare it by hand with kratos.sessionCookieName ("${configured}")`)];
    }
    name = setting.value;
    source = setting.source;
  }
  if (name === configured) return [ok('kratos.session_cookie', `Kratos sets its session in cookie "${name}" (${source}), as the hub expects`)];
  return [
    fail(
      'kratos.session_cookie',
      `Kratos sets its session in cookie "${name}" (${source}) but the hub looks for "${configured}": every successful sign-in would count as a failure toward lockout`,
      `set kratos.sessionCookieName (SSOHUB_KRATOS_SESSION_COOKIE) to "${name}"`,
    ),
  ];
}
