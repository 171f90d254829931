import { type DoctorCheck, fail, ok, warn } from './doctor-check.ts';
import { type KratosConfig, resolveKratosSetting, valueAt } from './read-kratos-config.ts';

const ID = 'kratos.base_url';

/**
 * Compares Kratos' `serve.public.base_url` with the hub's `publicUrl`. Browsers reach Kratos only
 * through the hub, and Kratos builds every flow URL, redirect and cookie from its base_url: when
 * the two differ, sign-ins loop back to the login page (docs/runbook.md). The
 * `SERVE_PUBLIC_BASE_URL` variable beats every file; among files the last one that sets the key
 * wins. Without either, Kratos guesses from its own listen address, which is wrong behind the hub.
 */
export function checkKratosBaseUrl({ config, envBaseUrl, publicUrl }: { config: KratosConfig; envBaseUrl: string | undefined; publicUrl: string }): DoctorCheck {
  const hub = `${normalizeUrl(publicUrl)}/`;
  const hubSide = `the hub's publicUrl (SSOHUB_PUBLIC_URL) is ${hub}`;
  if (config.files.length === 0 && !envBaseUrl) {
    return warn(ID, 'unknown: kratos.configFiles is empty and no SERVE_PUBLIC_BASE_URL variable was given', "set SSOHUB_KRATOS_CONFIG_FILES to the files Kratos is started with, and run `ssohub doctor` with Kratos' environment (SERVE_PUBLIC_BASE_URL)");
  }
  const setting = resolveKratosSetting(config, ['serve', 'public', 'base_url'], { name: 'SERVE_PUBLIC_BASE_URL', value: envBaseUrl });
  if (setting.kind === 'unknown') {
    return warn(ID, `unknown: ${setting.path} cannot be read (${setting.error}) and may set serve.public.base_url; ${hubSide}`, 'run the doctor where the hub can read kratos.configFiles (SSOHUB_KRATOS_CONFIG_FILES), or fix the path or the file');
  }
  if (setting.kind === 'unset') {
    return warn(
      ID,
      `serve.public.base_url is set in none of ${config.files.map((f) => f.path).join(', ')} and no SERVE_PUBLIC_BASE_URL variable was given: Kratos then guesses ${guessedBaseUrl(config)} from its own listen address, but ${hubSide}`,
      `set serve.public.base_url: ${hub} in ${config.files.at(-1)!.path} (unless Kratos gets SERVE_PUBLIC_BASE_URL from an environment the doctor did not see), then restart Kratos`,
    );
  }
  if (typeof setting.value !== 'string') {
    return fail(ID, `serve.public.base_url in ${setting.source} is not a string; ${hubSide}`, `set serve.public.base_url: ${hub} in ${setting.source.replace(/^file /, '')}, then restart Kratos`);
  }
  const kratos = setting.value;
  if (normalizeUrl(kratos) === normalizeUrl(publicUrl)) return ok(ID, `Kratos' serve.public.base_url is ${kratos} (${setting.source}), the hub's publicUrl`);
  const where = setting.source.startsWith('file ') ? `serve.public.base_url in ${setting.source.slice('file '.length)}` : "Kratos' SERVE_PUBLIC_BASE_URL variable";
  return fail(
    ID,
    `Kratos' serve.public.base_url is ${kratos} (${setting.source}) but ${hubSide}: Kratos' redirects and cookies miss the hub, so sign-ins loop back to the login page`,
    `set ${where} to ${hub} and restart Kratos (or, if the hub's URL is the wrong one, fix SSOHUB_PUBLIC_URL)`,
  );
}

/** The URL without its trailing slashes, host lowercased and default port dropped when it parses. */
export function normalizeUrl(url: string): string {
  let text = url.trim();
  try {
    text = new URL(text).href;
  } catch {
    // compared as written: a base_url Kratos cannot parse differs from any hub URL anyway
  }
  return text.replace(/\/+$/, '');
}

/** What Kratos puts in place of a missing base_url (driver/config guessBaseURL in Kratos v1.3.1). */
function guessedBaseUrl(config: KratosConfig): string {
  const host = valueAt(config.merged, ['serve', 'public', 'host']);
  const port = valueAt(config.merged, ['serve', 'public', 'port']) ?? 4433;
  const named = typeof host === 'string' && host !== '' && host !== '0.0.0.0' ? host : "<Kratos' host name>";
  return `https://${named}:${String(port)}/ (http:// with --dev)`;
}
