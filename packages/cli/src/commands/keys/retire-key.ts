import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { CommandContext } from '../../command-context.ts';
import { CliError } from '../../errors/cli-error.ts';
import { EXIT } from '../../errors/exit-codes.ts';
import { writeSecretFile } from '../../files/write-secret-file.ts';
import { print } from '../../output/output.ts';
import { checkSigningKeys, formatJwks, keyFacts, readSigningKeyFile } from './signing-key-file.ts';

/**
 * ssohub keys retire: removes a key that only verifies. The key that signs for its algorithm
 * cannot be retired (rotate first), nor the last RS256 key: the hub would refuse to start.
 */
export function registerRetireKey(keys: Command, ctx: CommandContext): void {
  keys
    .command('retire')
    .description('remove an old verification-only key from a private JWKS file')
    .requiredOption('--file <file>', 'the private JWKS (SSOHUB_SIGNING_KEYS_FILE)')
    .requiredOption('--kid <kid>', 'the key to remove')
    .action(async (flags: { file: string; kid: string }, cmd: Command) => {
      const file = resolve(flags.file);
      const keys = await readSigningKeyFile(file);
      const fact = keyFacts(keys).find((k) => k.kid === flags.kid);
      if (!fact) throw new CliError(EXIT.NOT_FOUND, `${file} has no key "${flags.kid}" (see \`ssohub keys list --file ${flags.file}\`)`);
      if (fact.role === 'signs') {
        throw new CliError(EXIT.CONFLICT, `${flags.kid} is the key that signs ${fact.alg} tokens: run \`ssohub keys rotate --file ${flags.file} --alg ${fact.alg}\` first, then retire it once its tokens have expired`);
      }
      const remaining = keys.filter((k) => k.kid !== flags.kid);
      checkSigningKeys(remaining, file);
      await writeSecretFile(file, formatJwks(remaining), { replace: true });
      const result = { signingKeysFile: file, retired: fact, keys: keyFacts(remaining) };
      print(ctx.io, ctx.settings(cmd).json, result, () => `retired ${fact.alg} ${fact.kid} from ${file}; ${remaining.length} key(s) left. Restart the hub instances to stop publishing it.\n`);
    });
}
