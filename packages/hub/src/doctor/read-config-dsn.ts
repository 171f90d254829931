/**
 * Reads the top-level `dsn` of a Kratos config file. Kratos configs are YAML; JSON is valid YAML
 * (the test kit writes JSON), so JSON is parsed as such. For YAML this is a deliberately tiny
 * reader: it finds a `dsn:` key in column 0 and reads a plain, single- or double-quoted scalar,
 * or a block scalar on the next indented line. Returns undefined when the file sets no dsn.
 */
export function readConfigDsn(text: string): string | undefined {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) {
    try {
      const dsn = (JSON.parse(trimmed) as { dsn?: unknown }).dsn;
      return typeof dsn === 'string' ? dsn : undefined;
    } catch {
      // not JSON after all; fall through to the YAML reader (flow mappings are not supported)
    }
  }
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const m = /^dsn\s*:(.*)$/.exec(lines[i]!);
    if (!m) continue;
    const value = m[1]!.trim();
    if (value === '' || value === '|' || value === '>' || /^[|>][-+]?$/.test(value)) {
      const next = lines.slice(i + 1).find((l) => l.trim() !== '');
      return next && /^\s+/.test(next) ? next.trim() : undefined;
    }
    return scalar(value);
  }
  return undefined;
}

function scalar(value: string): string {
  if (value.startsWith('"')) {
    const end = value.indexOf('"', 1);
    return JSON.parse(value.slice(0, end + 1)) as string;
  }
  if (value.startsWith("'")) {
    const m = /^'((?:[^']|'')*)'/.exec(value);
    return (m?.[1] ?? value.slice(1)).replace(/''/g, "'");
  }
  return value.replace(/\s+#.*$/, '').trim();
}
