import type { Command } from 'commander';
import type { CommandContext } from '../../command-context.ts';
import { CliError } from '../../errors/cli-error.ts';
import { EXIT } from '../../errors/exit-codes.ts';
import { print } from '../../output/output.ts';

interface SessionsAnswer {
  identity: { id: string; email?: string; state?: string };
  sessions: {
    id: string;
    active?: boolean;
    authenticatedAt?: string;
    expiresAt?: string;
    aal?: string;
    methods: string[];
    devices?: { ip?: string; userAgent?: string; location?: string }[];
    providerSessions: { uid: string; authTime?: string; clients: { clientId: string; sid: string }[] }[];
    clients: string[];
  }[];
}

interface AuditEvent {
  id: string;
  time: string;
  type: string;
  subject?: string;
  clientId?: string;
  outcome?: string;
  [key: string]: unknown;
}

/** A few audit events worth showing next to a node of the map. */
export interface MapEvent {
  time: string;
  type: string;
  outcome?: string;
  /** True when the event does not name the user (oidc.token.issued): it may be another user's. */
  clientWide?: boolean;
}

export interface SessionMap {
  identity: SessionsAnswer['identity'];
  /** Whether the audit trail could be read (false: times come from the session records only). */
  auditTrail: { read: boolean; eventsScanned: number; note?: string };
  /** Events about the user that no session names (sign-in redirects, logouts, revocations). */
  events: MapEvent[];
  kratosSessions: {
    id: string;
    active: boolean;
    authenticatedAt?: string;
    expiresAt?: string;
    aal?: string;
    methods: string[];
    devices: { ip?: string; userAgent?: string; location?: string }[];
    events: MapEvent[];
    providerSessions: {
      uid: string;
      authTime?: string;
      clients: { clientId: string; sid: string; events: MapEvent[] }[];
    }[];
  }[];
}

const SESSION_KEYS = ['sessionId', 'kratosSessionId'] as const;

/**
 * Builds the session map of one user from the admin API's session answer and the audit trail:
 * each Kratos session, the provider sessions bound to it, each client session they reached, and
 * the last `perNode` events of each (sign-in, token issued, logout).
 */
export function buildSessionMap(answer: SessionsAnswer, events: AuditEvent[] | undefined, perNode: number, note?: string): SessionMap {
  const mine = (events ?? []).filter((e) => e.subject === answer.identity.id);
  const last = (list: AuditEvent[], clientWide = false): MapEvent[] =>
    list.slice(-perNode).map((e) => ({ time: e.time, type: e.type, ...(e.outcome ? { outcome: e.outcome } : {}), ...(clientWide && e.subject === undefined ? { clientWide: true } : {}) }));
  const sessionIds = new Set(answer.sessions.map((s) => s.id));
  return {
    identity: answer.identity,
    auditTrail: { read: events !== undefined, eventsScanned: events?.length ?? 0, ...(note ? { note } : {}) },
    events: last(mine.filter((e) => !e.clientId && !SESSION_KEYS.some((k) => sessionIds.has(String(e[k]))))),
    kratosSessions: answer.sessions.map((s) => ({
      id: s.id,
      active: s.active ?? true,
      ...(s.authenticatedAt ? { authenticatedAt: s.authenticatedAt } : {}),
      ...(s.expiresAt ? { expiresAt: s.expiresAt } : {}),
      ...(s.aal ? { aal: s.aal } : {}),
      methods: s.methods,
      devices: s.devices ?? [],
      events: last((events ?? []).filter((e) => SESSION_KEYS.some((k) => e[k] === s.id))),
      providerSessions: s.providerSessions.map((p) => ({
        uid: p.uid,
        ...(p.authTime ? { authTime: p.authTime } : {}),
        clients: p.clients.map((c) => ({
          clientId: c.clientId,
          sid: c.sid,
          // Sign-ins and logouts name the user; token events only name the client.
          events: last(
            (events ?? []).filter((e) => e.clientId === c.clientId && (e.subject === answer.identity.id || (e.subject === undefined && e.type === 'oidc.token.issued'))),
            true,
          ),
        })),
      })),
    })),
  };
}

/** Draws the map as a tree for people. */
export function renderSessionMap(map: SessionMap): string {
  const out: string[] = [];
  const who = `${map.identity.email ?? '(no email)'}  identity ${map.identity.id}${map.identity.state ? `  ${map.identity.state}` : ''}`;
  out.push(who);
  const ev = (prefix: string, events: MapEvent[]) => {
    for (const e of events) out.push(`${prefix}· ${e.time}  ${e.type}${e.outcome && e.outcome !== 'success' ? ` (${e.outcome})` : ''}${e.clientWide ? '  [client-wide: the event does not name the user]' : ''}`);
  };
  if (map.kratosSessions.length === 0) out.push('└─ no active Kratos session');
  map.kratosSessions.forEach((s, i) => {
    const lastS = i === map.kratosSessions.length - 1;
    const p1 = lastS ? '   ' : '│  ';
    out.push(`${lastS ? '└─' : '├─'} Kratos session ${s.id}${s.active ? '' : '  (inactive)'}`);
    out.push(`${p1}   signed in ${s.authenticatedAt ?? '?'}  expires ${s.expiresAt ?? '?'}  ${s.aal ?? ''} ${s.methods.join('+')}`.trimEnd());
    for (const d of s.devices) out.push(`${p1}   device ${[d.ip, d.location, d.userAgent].filter(Boolean).join('  ') || '?'}`);
    ev(`${p1}   `, s.events);
    if (s.providerSessions.length === 0) out.push(`${p1}└─ no provider session: no client app reached through this sign-in`);
    s.providerSessions.forEach((p, j) => {
      const lastP = j === s.providerSessions.length - 1;
      const p2 = `${p1}${lastP ? '   ' : '│  '}`;
      out.push(`${p1}${lastP ? '└─' : '├─'} provider session ${p.uid}  auth_time ${p.authTime ?? '?'}`);
      if (p.clients.length === 0) out.push(`${p2}└─ no client reached`);
      p.clients.forEach((c, k) => {
        const lastC = k === p.clients.length - 1;
        out.push(`${p2}${lastC ? '└─' : '├─'} client ${c.clientId}  sid ${c.sid}`);
        ev(`${p2}${lastC ? '   ' : '│  '}   `, c.events);
      });
    });
  });
  if (map.events.length) {
    out.push('', 'Other events about this user:');
    ev('  ', map.events);
  }
  out.push('', map.auditTrail.read ? `(audit trail: last ${map.auditTrail.eventsScanned} events scanned)` : `(audit trail not read${map.auditTrail.note ? `: ${map.auditTrail.note}` : ''})`);
  return `${out.join('\n')}\n`;
}

/** ssohub sessions show <user>: one user's sessions as a tree (Kratos → provider → clients), with times and recent events. */
export function registerShowSessions(sessions: Command, ctx: CommandContext): void {
  sessions
    .command('show <user>')
    .description("draw a user's session map (by email or identity id): Kratos sessions, provider sessions, client sessions, recent events")
    .option('--events <n>', 'recent audit events shown per node (0 to skip the audit trail)', '3')
    .option('--scan <n>', 'how many of the newest audit events to read (1-1000)', '1000')
    .action(async (user: string, flags: { events: string; scan: string }, cmd: Command) => {
      const perNode = Number(flags.events);
      const scan = Number(flags.scan);
      if (!Number.isInteger(perNode) || perNode < 0) throw new CliError(EXIT.USAGE, `--events must be a whole number >= 0 (got "${flags.events}")`);
      if (!Number.isInteger(scan) || scan < 1 || scan > 1000) throw new CliError(EXIT.USAGE, `--scan must be a whole number from 1 to 1000 (got "${flags.scan}")`);
      const admin = ctx.admin(cmd);
      const answer = await admin.request<SessionsAnswer>('GET', `/admin/identities/${encodeURIComponent(user)}/sessions`);
      let events: AuditEvent[] | undefined;
      let note: string | undefined;
      if (perNode > 0) {
        try {
          events = (await admin.request<{ events: AuditEvent[] }>('GET', `/admin/audit?count=${scan}`)).events;
        } catch (err) {
          note = (err as Error).message;
        }
      } else note = '--events 0';
      const map = buildSessionMap(answer, events, perNode, note);
      print(ctx.io, ctx.settings(cmd).json, map, () => renderSessionMap(map));
    });
}
