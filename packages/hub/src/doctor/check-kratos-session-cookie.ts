import { readFile } from 'node:fs/promises';
import { KRATOS_DEFAULT_SESSION_COOKIE } from '../config/hub-config.ts';
import { type DoctorCheck, fail, ok, warn } from './doctor-check.ts';
import { readConfigValue, UnreadableConfigValue } from './read-config-value.ts';

/**
 * Compares the hub's `kratos.sessionCookieName` with the session cookie Kratos is configured to
 * set: the `SESSION_COOKIE_NAME` variable beats every file, among files the last one that sets
 * `session.cookie.name` wins, and Kratos' default applies otherwise. A mismatch is a failure: the
 * guard would see every successful sign-in as a failed one and lock accounts out.
 */
export async function checkKratosSessionCookie({
  configFiles,
  envName,
  configured,
}: {
  configFiles: readonly string[];
  envName: string | undefined;
  configured: string;
}): Promise<DoctorCheck[]> {
  if (configFiles.length === 0 && !envName) {
    return configured === KRATOS_DEFAULT_SESSION_COOKIE
      ? []
      : [warn('kratos.session_cookie', `kratos.sessionCookieName is "${configured}" and cannot be compared: kratos.configFiles is empty`, "set SSOHUB_KRATOS_CONFIG_FILES to the files Kratos is started with")];
  }
  let name = KRATOS_DEFAULT_SESSION_COOKIE;
  let source = "Kratos' default";
  if (envName) {
    name = envName;
    source = 'environment variable SESSION_COOKIE_NAME';
  } else {
    for (const path of configFiles) {
      // An unreadable file is already reported by the kratos.config_files check.
      const text = await readFile(path, 'utf8').catch(() => undefined);
      let value: string | undefined;
      try {
        value = text === undefined ? undefined : readConfigValue(text, ['session', 'cookie', 'name']);
      } catch (err) {
        if (!(err instanceof UnreadableConfigValue)) throw err;
        return [warn('kratos.session_cookie', `cannot tell which session cookie Kratos sets: in ${path}, ${err.message}`, `write session.cookie.name as a block mapping, or compare it by hand with kratos.sessionCookieName ("${configured}")`)];
      }
      if (value) {
        name = value;
        source = `file ${path}`;
      }
    }
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
