import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addClientOptions, type ClientFlags, clientFromFlags } from './client-options.ts';

const parse = (args: string[]) => clientFromFlags(addClientOptions(new Command('create')).exitOverride().parse(args, { from: 'user' }).opts<ClientFlags>());

describe('client display options (issue #20)', () => {
  it('--name, --client-uri, --logo-uri, --policy-uri and --tos-uri become RFC 7591 metadata', () => {
    expect(parse(['--name', 'Shop B', '--client-uri', 'https://shop-b.test/', '--logo-uri', 'https://shop-b.test/logo.svg', '--policy-uri', 'https://shop-b.test/privacy', '--tos-uri', 'https://shop-b.test/terms'])).toEqual({
      client_name: 'Shop B',
      client_uri: 'https://shop-b.test/',
      logo_uri: 'https://shop-b.test/logo.svg',
      policy_uri: 'https://shop-b.test/privacy',
      tos_uri: 'https://shop-b.test/terms',
    });
  });

  it('unset ones are left out (an update changes only what it names)', () => {
    expect(parse(['--policy-uri', 'https://shop-b.test/privacy'])).toEqual({ policy_uri: 'https://shop-b.test/privacy' });
  });
});
