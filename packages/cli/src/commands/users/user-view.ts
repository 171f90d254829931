import { renderFields, renderTable } from '../../output/render-table.ts';

/** What the admin API says of a user (GET /admin/users, docs/admin-api.md "Users"). */
export interface UserSummary {
  id: string;
  email?: string;
  state: 'active' | 'inactive';
  verified: boolean;
  createdAt?: string;
}

export interface UserDetail extends UserSummary {
  methods: string[];
  secondFactors: string[];
  addresses: { value: string; verified: boolean }[];
  sessions: {
    id: string;
    authenticatedAt?: string;
    expiresAt?: string;
    aal?: string;
    methods: string[];
    devices: { ip?: string; userAgent?: string; location?: string }[];
    clients: string[];
  }[];
  apps: { clientId: string; name: string }[];
}

/** The answer of every user action (disable, enable, delete, reset-mfa, verify-resend). */
export interface UserActionResult {
  user: UserSummary;
  endedSessions: string[];
  revokedApps: string[];
  removed?: string[];
  sentTo?: string;
}

/** `ada@example.com (id)`, or the id alone for a user without an email. */
export function whoIs(user: Pick<UserSummary, 'id' | 'email'>): string {
  return user.email ? `${user.email} (${user.id})` : user.id;
}

export function renderUserTable(users: UserSummary[]): string {
  return renderTable(
    ['ID', 'EMAIL', 'STATE', 'VERIFIED', 'CREATED'],
    users.map((u) => [u.id, u.email, u.state === 'active' ? 'active' : 'disabled', u.verified ? 'yes' : 'no', u.createdAt]),
  );
}

/** One user: fields, then a table of sessions and the apps holding grants. */
export function renderUser(user: UserDetail): string {
  const fields = renderFields({
    id: user.id,
    email: user.email ?? '-',
    state: user.state === 'active' ? 'active' : 'disabled (inactive: cannot sign in)',
    verified: user.verified ? 'yes' : 'no',
    created: user.createdAt ?? '-',
    methods: user.methods,
    second_factors: user.secondFactors,
    addresses: user.addresses.map((a) => `${a.value}${a.verified ? '' : ' (unverified)'}`),
    apps: user.apps.map((a) => (a.name && a.name !== a.clientId ? `${a.clientId} (${a.name})` : a.clientId)),
  });
  const sessions =
    user.sessions.length === 0
      ? 'No active session.\n'
      : `Sessions:\n${renderTable(
          ['SESSION', 'SIGNED IN', 'EXPIRES', 'AAL', 'METHODS', 'DEVICE', 'CLIENTS'],
          user.sessions.map((s) => [s.id, s.authenticatedAt, s.expiresAt, s.aal, s.methods.join(','), device(s.devices[0]), s.clients.join(', ') || 'none']),
        )}`;
  return `${fields}\n${sessions}`;
}

function device(d: { ip?: string; userAgent?: string; location?: string } | undefined): string | undefined {
  if (!d) return undefined;
  const text = [d.ip, d.location].filter(Boolean).join(' ');
  return text || undefined;
}

/** What an action ended and revoked, as the lines after its headline. */
export function renderEffects(result: UserActionResult): string {
  const lines: string[] = [];
  if (result.endedSessions.length > 0) lines.push(`Ended ${result.endedSessions.length} session(s): ${result.endedSessions.join(', ')}`);
  if (result.revokedApps.length > 0) lines.push(`Revoked the grants of ${result.revokedApps.join(', ')}; each app's back-channel logout is queued (ssohub backchannel list).`);
  return lines.map((l) => `${l}\n`).join('');
}
