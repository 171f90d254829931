import { resolve } from 'node:path';
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from '@ssohub/hub/keys';
import type { Command } from 'commander';
import type { CommandContext } from '../../command-context.ts';
import { CliError } from '../../errors/cli-error.ts';
import { EXIT } from '../../errors/exit-codes.ts';
import { readTextFile } from '../../files/read-text-file.ts';
import { checkWritable, randomSecret, writeSecretFile } from '../../files/write-secret-file.ts';
import { print } from '../../output/output.ts';
import { checkSigningKeys, formatJwks, keyFacts, newSigningKey, readSigningKeyFile } from './signing-key-file.ts';

interface RotateFlags {
  file: string;
  alg?: string[];
  cookieKeysFile?: string;
}

/**
 * ssohub keys rotate: a new signing key per algorithm goes first (the hub signs with the first
 * key of each algorithm), the old ones stay after it and keep verifying the tokens they signed
 * until those expire; then `keys retire` removes them. With --cookie-keys-file a new cookie key
 * is prepended the same way (the first signs, all verify).
 */
export function registerRotateKeys(keys: Command, ctx: CommandContext): void {
  keys
    .command('rotate')
    .description('prepend new signing keys (and a cookie key) to existing files, keeping the old ones for verification')
    .requiredOption('--file <file>', 'the private JWKS to rotate (SSOHUB_SIGNING_KEYS_FILE)')
    .option('--alg <alg...>', `algorithms to rotate (${SIGNING_ALGORITHMS.join(', ')}; default: every algorithm in the file)`)
    .option('--cookie-keys-file <file>', 'also prepend a new cookie key to this file (SSOHUB_COOKIE_KEYS_FILE)')
    .action(async (flags: RotateFlags, cmd: Command) => {
      const file = resolve(flags.file);
      const existing = await readSigningKeyFile(file);
      const present = SIGNING_ALGORITHMS.filter((a) => existing.some((k) => k.alg === a));
      const algs = (flags.alg ?? present).map((a) => a.toUpperCase());
      const unknown = algs.filter((a) => !(SIGNING_ALGORITHMS as readonly string[]).includes(a));
      if (unknown.length > 0) throw new CliError(EXIT.USAGE, `--alg ${unknown.join(', ')} is not one of ${SIGNING_ALGORITHMS.join(', ')}`);
      const added = [];
      for (const alg of algs as SigningAlgorithm[]) added.push(await newSigningKey(alg));
      const keys = [...added, ...existing];
      checkSigningKeys(keys, file);

      const cookieFile = flags.cookieKeysFile ? resolve(flags.cookieKeysFile) : undefined;
      const cookieKeys = cookieFile ? (await readTextFile(cookieFile, 'the cookie keys file')).split(/[,\n]/).map((k) => k.trim()).filter(Boolean) : [];
      await checkWritable([file, ...(cookieFile ? [cookieFile] : [])], { replace: true });
      await writeSecretFile(file, formatJwks(keys), { replace: true });
      if (cookieFile) await writeSecretFile(cookieFile, `${[randomSecret(), ...cookieKeys].join('\n')}\n`, { replace: true });

      const facts = keyFacts(keys);
      const result = { signingKeysFile: file, added: facts.slice(0, added.length), keys: facts, ...(cookieFile ? { cookieKeysFile: cookieFile, cookieKeyCount: cookieKeys.length + 1 } : {}) };
      print(ctx.io, ctx.settings(cmd).json, result, () => {
        const lines = [`rotated ${file}: ${result.added.map((k) => `${k.alg} ${k.kid}`).join(', ')} now sign${result.added.length === 1 ? 's' : ''}`];
        const kept = facts.slice(added.length);
        if (kept.length > 0) lines.push(`kept for verification: ${kept.map((k) => k.kid).join(', ')}`);
        if (cookieFile) lines.push(`prepended a cookie key to ${cookieFile} (${cookieKeys.length + 1} keys; the first signs)`);
        lines.push(
          '',
          'Restart every hub instance with the new files (all of them at about the same time: a client that meets an',
          'unknown kid fetches the JWKS again). Once the old keys have signed nothing for longer than the ID token',
          'lifetime (bridge.ttl.idToken, 1 hour by default), remove them with `ssohub keys retire --file <file> --kid <kid>`;',
          'an old cookie key, after the provider session lifetime (bridge.ttl.session).',
        );
        return `${lines.join('\n')}\n`;
      });
    });
}
