import { readFile } from 'node:fs/promises';

/**
 * The shape of an `ssohub` invocation: its command words and the set of flags it passes, without
 * values (a test's paths and ports differ from the guide's placeholders, the steps must not).
 */
export function invocationShape(args: readonly string[]): string {
  const words: string[] = [];
  const flags = new Set<string>();
  for (const arg of args) {
    if (arg.startsWith('--')) flags.add(arg.split('=')[0]!);
    else if (flags.size === 0 && /^[a-z][a-z-]*$/.test(arg)) words.push(arg);
  }
  // --json is how a test reads the output; the guide shows the human form.
  flags.delete('--json');
  return [...words, ...[...flags].sort()].join(' ');
}

/** Every `ssohub …` command in the guide's shell blocks, as shapes (continuation lines joined). */
export async function documentedInvocations(markdown: string): Promise<string[]> {
  const text = await readFile(markdown, 'utf8');
  const shapes: string[] = [];
  for (const block of text.matchAll(/```(?:sh|bash|shell)\n([\s\S]*?)```/g)) {
    const lines = block[1]!.replace(/\\\n\s*/g, ' ').split('\n');
    for (const line of lines) {
      const at = line.search(/(^|[\s;&|(])ssohub\s/);
      if (at < 0) continue;
      const command = line.slice(line.indexOf('ssohub', at)).replace(/\s#.*$/, '');
      const args = command.match(/"[^"]*"|'[^']*'|\S+/g)?.slice(1) ?? [];
      shapes.push(invocationShape(args.filter((a) => !/^[|&;>]/.test(a))));
    }
  }
  return shapes;
}
