import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { CommandContext } from '../../command-context.ts';
import { CliError } from '../../errors/cli-error.ts';
import { EXIT } from '../../errors/exit-codes.ts';
import { checkWritable, randomSecret, writeSecretFile } from '../../files/write-secret-file.ts';
import { print } from '../../output/output.ts';
import { formatJwks, keyFacts, newSigningKey } from './signing-key-file.ts';

interface GenerateFlags {
  out: string;
  cookieKeysFile?: string;
  adminTokenFile?: string;
  force?: boolean;
}

/**
 * ssohub keys generate: the hub's secrets for a new deployment, so nobody writes a key by hand.
 * A private JWKS (ES256 + RS256) for SSOHUB_SIGNING_KEYS_FILE, a cookie key and an admin token,
 * each in its own 0600 file when asked (container and systemd secrets), else printed once.
 */
export function registerGenerateKeys(keys: Command, ctx: CommandContext): void {
  keys
    .command('generate')
    .description('write a new private JWKS (ES256 + RS256) and make a cookie key and an admin token')
    .requiredOption('--out <file>', 'where to write the private JWKS (SSOHUB_SIGNING_KEYS_FILE)')
    .option('--cookie-keys-file <file>', 'write the cookie key to this file (SSOHUB_COOKIE_KEYS_FILE) instead of printing it')
    .option('--admin-token-file <file>', 'write the admin token to this file (SSOHUB_ADMIN_TOKEN_FILE) instead of printing it')
    .option('--force', 'replace existing files (the old keys are lost: tokens they signed stop verifying)')
    .action(async (flags: GenerateFlags, cmd: Command) => {
      const targets = [flags.out, flags.cookieKeysFile, flags.adminTokenFile].filter((f): f is string => f !== undefined).map((f) => resolve(f));
      if (new Set(targets).size !== targets.length) throw new CliError(EXIT.USAGE, '--out, --cookie-keys-file and --admin-token-file must name different files');
      const keys = [await newSigningKey('ES256'), await newSigningKey('RS256')];
      const cookieKey = randomSecret();
      const adminToken = randomSecret();
      const replace = flags.force === true;
      const hint = 'use `ssohub keys rotate` to add a key and keep the old ones, or --force to replace the file';
      await checkWritable(targets, { replace, hint });
      await writeSecretFile(resolve(flags.out), formatJwks(keys), { replace, hint });
      if (flags.cookieKeysFile) await writeSecretFile(resolve(flags.cookieKeysFile), `${cookieKey}\n`, { replace, hint });
      if (flags.adminTokenFile) await writeSecretFile(resolve(flags.adminTokenFile), `${adminToken}\n`, { replace, hint });

      const cookieKeysFile = flags.cookieKeysFile ? resolve(flags.cookieKeysFile) : undefined;
      const adminTokenFile = flags.adminTokenFile ? resolve(flags.adminTokenFile) : undefined;
      const result = {
        signingKeysFile: resolve(flags.out),
        keys: keyFacts(keys),
        ...(cookieKeysFile ? { cookieKeysFile } : { cookieKeys: [cookieKey] }),
        ...(adminTokenFile ? { adminTokenFile } : { adminToken }),
      };
      print(ctx.io, ctx.settings(cmd).json, result, () => {
        const lines = [`wrote ${result.signingKeysFile} (mode 0600): ${result.keys.map((k) => `${k.alg} ${k.kid}`).join(', ')}`];
        if (cookieKeysFile) lines.push(`wrote ${cookieKeysFile} (mode 0600): one cookie key`);
        if (adminTokenFile) lines.push(`wrote ${adminTokenFile} (mode 0600): the admin token`);
        lines.push('', 'Hub environment:', `SSOHUB_SIGNING_KEYS_FILE=${result.signingKeysFile}`);
        lines.push(cookieKeysFile ? `SSOHUB_COOKIE_KEYS_FILE=${cookieKeysFile}` : `SSOHUB_COOKIE_KEYS=${cookieKey}`);
        lines.push(adminTokenFile ? `SSOHUB_ADMIN_TOKEN_FILE=${adminTokenFile}` : `SSOHUB_ADMIN_TOKEN=${adminToken}`);
        if (!cookieKeysFile || !adminTokenFile) lines.push('', 'The values above are shown once: store them as secrets now.');
        return `${lines.join('\n')}\n`;
      });
    });
}
