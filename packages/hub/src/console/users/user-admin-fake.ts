import { vi } from 'vitest';
import { SsoHubError } from '../../errors/ssohub-error.ts';
import type { UserActionResult, UserAdmin, UserDetail } from '../../users/user-admin.ts';

/**
 * A stand-in UserAdmin for the console's inject tests (users and sessions pages): one account,
 * every method a spy. Not used by the hub itself.
 */

export const SAMPLE_USER_ID = '0b0f6c1e-4f0a-4c52-9d7e-2a8e6d1c9b10';
const CHROME_ON_LINUX = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

export type FakeUserAdmin = UserAdmin & Record<keyof UserAdmin, ReturnType<typeof vi.fn>>;

export function sampleUser(overrides: Partial<UserDetail> = {}): UserDetail {
  return {
    id: SAMPLE_USER_ID,
    email: 'ada@example.test',
    state: 'active',
    verified: false,
    createdAt: '2026-01-02T03:04:05.000Z',
    methods: ['password', 'totp'],
    secondFactors: ['totp'],
    addresses: [{ value: 'ada@example.test', verified: false }],
    sessions: [
      {
        id: 'b7d1f7a2-0d1c-4a8e-9a57-3c1f0e2d4b6a',
        authenticatedAt: '2026-03-04T05:06:07.000Z',
        expiresAt: '2026-03-05T05:06:07.000Z',
        aal: 'aal2',
        methods: ['password', 'totp'],
        devices: [{ ip: '192.0.2.7', userAgent: CHROME_ON_LINUX }],
        clients: ['app-a'],
      },
    ],
    apps: [{ clientId: 'app-a', name: 'App A' }],
    ...overrides,
  };
}

const result = (over: Partial<UserActionResult> = {}): UserActionResult => ({
  user: { id: SAMPLE_USER_ID, email: 'ada@example.test', state: 'active', verified: false, createdAt: undefined },
  endedSessions: [],
  revokedApps: [],
  ...over,
});

export function fakeUserAdmin(user: UserDetail): FakeUserAdmin {
  return {
    find: vi.fn(async () => [{ id: user.id, email: user.email, state: user.state, verified: user.verified, createdAt: user.createdAt }]),
    show: vi.fn(async (idOrEmail: string) => {
      if (idOrEmail !== user.id && idOrEmail !== user.email) throw new SsoHubError('SSOHUB_ERR_NOT_FOUND', `no identity "${idOrEmail}"`, { status: 404 });
      return user;
    }),
    disable: vi.fn(async () => result({ endedSessions: ['s1', 's2'], revokedApps: ['app-a'] })),
    enable: vi.fn(async () => result()),
    delete: vi.fn(async () => result({ endedSessions: ['s1'], revokedApps: [] })),
    resetMfa: vi.fn(async () => result({ removed: ['totp'] })),
    resendVerification: vi.fn(async () => result({ sentTo: 'ada@example.test' })),
  } as unknown as FakeUserAdmin;
}
