import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { CommandContext } from '../../command-context.ts';
import { print } from '../../output/output.ts';
import { renderTable } from '../../output/render-table.ts';
import { keyFacts, readSigningKeyFile } from './signing-key-file.ts';

/** ssohub keys list: which keys a JWKS file holds, how old each is and which one signs. */
export function registerListKeys(keys: Command, ctx: CommandContext): void {
  keys
    .command('list')
    .description('show the keys of a private JWKS file (never their private parts)')
    .requiredOption('--file <file>', 'the private JWKS (SSOHUB_SIGNING_KEYS_FILE)')
    .action(async (flags: { file: string }, cmd: Command) => {
      const facts = keyFacts(await readSigningKeyFile(resolve(flags.file)));
      print(ctx.io, ctx.settings(cmd).json, { keys: facts }, () => renderTable(['KID', 'ALG', 'CREATED', 'ROLE'], facts.map((k) => [k.kid, k.alg, k.createdAt, k.role])));
    });
}
