/**
 * The isolation audit command of the README: the `sh` block that follows "The demo also prints
 * three `export` lines", joined across its `\` line ends. Throws when the README has no such block,
 * so a test that runs it breaks when the README changes.
 */
export function readmeAuditCommand(readme: string): { text: string; args: string[] } {
  const section = readme.indexOf('The demo also prints three `export` lines');
  if (section < 0) throw new Error('README.md: the paragraph "The demo also prints three `export` lines" is gone');
  const block = /```sh\n([\s\S]*?)\n```/.exec(readme.slice(section))?.[1];
  if (!block) throw new Error('README.md: no ```sh block after "The demo also prints three `export` lines"');
  const text = block.replace(/\\\n\s*/g, '').trim();
  const prefix = 'npm run ssohub -- ';
  if (!text.startsWith(`${prefix}audit isolation `)) throw new Error(`README.md: the audit example no longer starts with "${prefix}audit isolation": ${text}`);
  // The example has no quoting: words are split on white space, as the shell would.
  return { text, args: text.slice(prefix.length).split(/\s+/) };
}
