/**
 * Kratos' courier writes its mails (sign-in, registration, verification and recovery codes) from
 * templates that see only what the flow submission carried: its `transient_payload` object. The
 * hub tells them the page's language there (`{"locale":"de"}`), and deploy/kratos/courier-templates
 * pick their text by it. Kratos reads a form field `transient_payload` as raw JSON (decoderx maps
 * an object-typed schema path to the field's value as it is), and a JSON body's member as is.
 *
 * Nothing the client sent is changed: a payload that already names a locale, or that is not a
 * JSON object, goes on untouched (Kratos refuses a malformed one itself), and the other fields
 * keep their bytes. Returns undefined when the body needs no change.
 */
export function withTransientLocale(body: Buffer, contentType: string, locale: string): Buffer | undefined {
  const type = contentType.split(';')[0]?.trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') return inForm(body.toString('utf8'), locale);
  if (type === 'application/json') return inJson(body.toString('utf8'), locale);
  return undefined;
}

const FIELD = 'transient_payload';

function inForm(text: string, locale: string): Buffer | undefined {
  const pairs = text.split('&');
  // Kratos reads the first value of a repeated field (url.Values.Get).
  const at = pairs.findIndex((pair) => formName(pair) === FIELD);
  if (at < 0) {
    const field = `${FIELD}=${encodeURIComponent(JSON.stringify({ locale }))}`;
    return Buffer.from(text === '' || text.endsWith('&') ? `${text}${field}` : `${text}&${field}`, 'utf8');
  }
  const pair = pairs[at] ?? '';
  const eq = pair.indexOf('=');
  const value = eq < 0 ? '' : formDecode(pair.slice(eq + 1));
  // An empty value is no payload to Kratos: it is skipped, as if the field were absent.
  const payload = value === '' ? {} : objectOf(value);
  if (!payload || Object.hasOwn(payload, 'locale')) return undefined;
  pairs[at] = `${FIELD}=${encodeURIComponent(JSON.stringify({ ...payload, locale }))}`;
  return Buffer.from(pairs.join('&'), 'utf8');
}

function inJson(text: string, locale: string): Buffer | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(parsed)) return undefined;
  if (!Object.hasOwn(parsed, FIELD)) {
    // Spliced in after the opening brace: the client's own bytes (numbers beyond 2^53
    // included) reach Kratos as they were sent.
    const start = text.indexOf('{');
    const member = `${JSON.stringify(FIELD)}:${JSON.stringify({ locale })}`;
    const rest = text.slice(start + 1);
    return Buffer.from(`${text.slice(0, start + 1)}${member}${Object.keys(parsed).length > 0 ? ',' : ''}${rest}`, 'utf8');
  }
  const payload = parsed[FIELD];
  if (!isObject(payload) || Object.hasOwn(payload, 'locale')) return undefined;
  return Buffer.from(JSON.stringify({ ...parsed, [FIELD]: { ...payload, locale } }), 'utf8');
}

function formName(pair: string): string | undefined {
  const eq = pair.indexOf('=');
  return formDecodeOrUndefined(eq < 0 ? pair : pair.slice(0, eq));
}

function formDecode(value: string): string {
  return formDecodeOrUndefined(value) ?? value;
}

function formDecodeOrUndefined(value: string): string | undefined {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

function objectOf(json: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(json) as unknown;
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
