/**
 * Owns how the account page names a signed-in device from its User-Agent: the browser and the
 * system in plain words ("Firefox on Windows"), never the raw header.
 */

/** Browser and system as product names (not translated); undefined when the header does not say. */
export interface DeviceWords {
  browser: string | undefined;
  os: string | undefined;
}

// Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari", iPad also says "Mac".
const BROWSERS: [RegExp, string][] = [
  [/\bEdg(?:e|A|iOS)?\//, 'Edge'],
  [/\b(?:OPR|Opera)\//, 'Opera'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\b(?:Firefox|FxiOS)\//, 'Firefox'],
  [/\b(?:HeadlessChrome|Chrome|CriOS|Chromium)\//, 'Chrome'],
  [/\bVersion\/[\d.]+.*\bSafari\//, 'Safari'],
];

const SYSTEMS: [RegExp, string][] = [
  [/\biPad\b/, 'iPad'],
  [/\biPhone\b/, 'iPhone'],
  [/\bAndroid\b/, 'Android'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bWindows\b/, 'Windows'],
  [/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
  [/\bLinux\b/, 'Linux'],
];

export function describeDevice(userAgent: string | undefined): DeviceWords {
  const ua = userAgent ?? '';
  return { browser: BROWSERS.find(([re]) => re.test(ua))?.[1], os: SYSTEMS.find(([re]) => re.test(ua))?.[1] };
}
