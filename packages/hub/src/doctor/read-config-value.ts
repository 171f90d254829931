/**
 * Reads one scalar of a Kratos config file by its key path (`['dsn']`, `['session', 'cookie',
 * 'name']`). Kratos configs are YAML; JSON is valid YAML (the test kit writes JSON), so JSON is
 * parsed as such. For YAML this is a deliberately tiny reader of block mappings: it follows keys
 * by indentation and reads a plain, single- or double-quoted scalar, or a block scalar on the
 * next indented line. Returns undefined when the file does not set the key, and throws
 * UnreadableConfigValue when the way to it is written in a form it does not follow (a flow
 * mapping, an alias, an anchor or a tag), so callers never take "not read" for "not set".
 */
export function readConfigValue(text: string, path: readonly string[]): string | undefined {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) {
    try {
      let node = JSON.parse(trimmed) as unknown;
      for (const key of path) node = node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
      return typeof node === 'string' ? node : undefined;
    } catch {
      // not JSON after all; fall through to the YAML reader
    }
  }
  const lines = text.split(/\r?\n/);
  const open: { indent: number; key: string }[] = [];
  let blockIndent = -1;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '' || /^\s*#/.test(line)) continue;
    const indent = line.length - line.trimStart().length;
    // Lines of a block scalar belong to the key above them, whatever they look like.
    if (blockIndent >= 0 && indent > blockIndent) continue;
    blockIndent = -1;
    const m = /^(\s*)("[^"]*"|'[^']*'|[A-Za-z0-9_.-]+)\s*:(?:\s+(.*))?$/.exec(line);
    if (!m) continue;
    const key = m[2]!.replace(/^["']|["']$/g, '');
    while (open.length > 0 && open.at(-1)!.indent >= indent) open.pop();
    open.push({ indent, key });
    const value = (m[3] ?? '').trim();
    const isBlock = /^[|>][-+]?$/.test(value);
    if (isBlock) blockIndent = indent;
    const onPath = open.length <= path.length && open.every((o, k) => o.key === path[k]);
    if (!onPath) continue;
    // A flow mapping, alias or anchor on the way could hold the key: say so rather than miss it.
    if (open.length < path.length ? value !== '' && !value.startsWith('#') : /^[{[*&!]/.test(value)) {
      throw new UnreadableConfigValue(`${open.map((o) => o.key).join('.')} is written in a YAML form this reader does not follow (${value.slice(0, 40)})`);
    }
    if (open.length !== path.length) continue;
    if (value === '' || value.startsWith('#') || isBlock) {
      const next = lines.slice(i + 1).find((l) => l.trim() !== '');
      const nextIndent = next ? next.length - next.trimStart().length : 0;
      // A nested mapping under the key is not a scalar.
      if (!next || nextIndent <= indent || (!isBlock && /^\s*[^#]*:(\s|$)/.test(next))) return undefined;
      return next.trim();
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

export class UnreadableConfigValue extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnreadableConfigValue';
  }
}
