/** What kind of database a Kratos DSN points at. */
export type DsnKind = 'memory' | 'sqlite' | 'postgres' | 'mysql' | 'cockroach' | 'unknown';

export interface DsnClassification {
  kind: DsnKind;
  /** The DSN with any password replaced by `***`, safe to show and log. */
  redacted: string;
  /** Human description, e.g. `SQLite file /var/lib/kratos/db.sqlite`. */
  description: string;
  /** What is wrong with the DSN itself (empty when well-formed). */
  problems: string[];
}

const SQL_SCHEMES: Record<string, DsnKind> = {
  postgres: 'postgres',
  postgresql: 'postgres',
  mysql: 'mysql',
  cockroach: 'cockroach',
  cockroachdb: 'cockroach',
  crdb: 'cockroach',
};

/**
 * Classifies a Kratos DSN the way Kratos reads it: `memory` (an alias for shared-cache in-memory
 * SQLite), `sqlite://<path>` (in memory when the path is `:memory:` or it says `mode=memory`),
 * `postgres://`, `mysql://user:pass@tcp(host:port)/db`, `cockroach://`. Reports malformed DSNs:
 * unknown scheme, missing host, missing database name or file path.
 */
export function classifyDsn(dsn: string): DsnClassification {
  const trimmed = dsn.trim();
  if (trimmed === 'memory') {
    return { kind: 'memory', redacted: 'memory', description: 'in-memory SQLite (`memory`): every identity and session is lost when Kratos stops', problems: [] };
  }
  const scheme = /^([a-z0-9]+):\/\//i.exec(trimmed)?.[1]?.toLowerCase();
  if (scheme === 'sqlite' || scheme === 'sqlite3') {
    const rest = trimmed.slice(scheme.length + 3);
    const [path = '', query = ''] = rest.split('?', 2);
    const filePath = path.replace(/^file:/, '');
    if (filePath === ':memory:' || /(^|&)mode=memory(&|$)/.test(query) || filePath.includes(':memory:')) {
      return { kind: 'memory', redacted: trimmed, description: 'in-memory SQLite: every identity and session is lost when Kratos stops', problems: [] };
    }
    if (filePath === '') return { kind: 'sqlite', redacted: trimmed, description: 'SQLite without a file path', problems: ['the SQLite DSN names no file (expected sqlite:///absolute/path/kratos.sqlite?_fk=true)'] };
    const problems = filePath.startsWith('/') ? [] : [`the SQLite path "${filePath}" is relative to Kratos' working directory; use an absolute path (sqlite:///var/lib/kratos/kratos.sqlite)`];
    return { kind: 'sqlite', redacted: trimmed, description: `SQLite file ${filePath}`, problems };
  }
  const kind = scheme ? SQL_SCHEMES[scheme] : undefined;
  if (!kind) {
    return {
      kind: 'unknown',
      redacted: redactUnknown(trimmed),
      description: 'not a DSN Kratos understands',
      problems: [`the DSN must be memory, sqlite://, postgres://, mysql:// or cockroach:// (got ${scheme ? `scheme "${scheme}"` : 'no scheme'})`],
    };
  }
  if (kind === 'mysql') return classifyMysql(trimmed);
  let u: URL;
  try {
    u = new URL(trimmed);
  } catch {
    return { kind, redacted: redactUnknown(trimmed), description: `${label(kind)} (unparseable)`, problems: ['the DSN is not a valid URL (are special characters in the password percent-encoded?)'] };
  }
  // An `@` the URL parser did not take as the end of the credentials (a `#`, `/` or `?` in an
  // unencoded password moved it into the fragment, path or query): the password is somewhere in
  // the string, and Kratos would not read this DSN as meant either.
  if (trimmed.includes('@') && (!u.username || u.hash || u.pathname.includes('@') || u.search.includes('@'))) {
    return { kind, redacted: redactUnknown(trimmed), description: `${label(kind)} (unparseable)`, problems: ['the DSN is not a valid URL (are special characters in the password percent-encoded?)'] };
  }
  if (u.password) u.password = '***';
  const problems: string[] = [];
  if (!u.hostname) problems.push('the DSN names no host');
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!database) problems.push(`the DSN names no database (expected ${scheme}://user:password@host:port/<database>)`);
  return { kind, redacted: u.toString(), description: `${label(kind)} database "${database}" on ${u.host}`, problems };
}

/**
 * Splits a MySQL DSN as go-sql-driver/mysql (Kratos' driver) does: the last `/` ends the address,
 * and the last `@` before it ends the credentials, so a password may contain `@` and `:`.
 */
function classifyMysql(dsn: string): DsnClassification {
  const body = dsn.replace(/^mysql:\/\//i, '');
  const slash = body.lastIndexOf('/');
  const unparseable = { kind: 'mysql' as const, redacted: 'mysql://***', description: 'MySQL (unparseable)', problems: ['the DSN must look like mysql://user:password@tcp(host:3306)/database'] };
  if (slash < 0) return unparseable;
  const before = body.slice(0, slash);
  const [database = '', ...rest] = body.slice(slash + 1).split('?');
  const query = rest.length ? `?${rest.join('?')}` : '';
  const at = before.lastIndexOf('@');
  const credentials = at >= 0 ? before.slice(0, at) : undefined;
  const address = at >= 0 ? before.slice(at + 1) : before;
  const m = /^(?:tcp\(([^)]*)\)|([^()]*))$/i.exec(address);
  if (!m) return unparseable;
  const [, tcpHost, plainHost] = m;
  const host = tcpHost ?? plainHost ?? '';
  const colon = credentials?.indexOf(':') ?? -1;
  const user = credentials === undefined ? undefined : colon >= 0 ? credentials.slice(0, colon) : credentials;
  const hasPassword = colon >= 0;
  const redacted = `mysql://${user !== undefined ? `${user}${hasPassword ? ':***' : ''}@` : ''}${tcpHost !== undefined ? `tcp(${host})` : host}/${database}${query}`;
  const problems: string[] = [];
  if (!host) problems.push('the DSN names no host');
  if (!database) problems.push('the DSN names no database (expected mysql://user:password@tcp(host:3306)/<database>)');
  return { kind: 'mysql', redacted, description: `MySQL database "${database}" on ${host}`, problems };
}

function label(kind: DsnKind): string {
  return kind === 'postgres' ? 'PostgreSQL' : kind === 'cockroach' ? 'CockroachDB' : kind === 'mysql' ? 'MySQL' : kind;
}

/**
 * Hides the credentials of a string that did not parse: everything between `//` and the last `@`
 * (a password may contain `@`, `/` or `:`), keeping a user name that has no `:` in it. Errs on
 * the side of hiding: an `@` later in the string hides more than needed, never less.
 */
function redactUnknown(s: string): string {
  const start = s.indexOf('//');
  const at = s.lastIndexOf('@');
  if (start < 0 || at < start) return s;
  const credentials = s.slice(start + 2, at);
  const colon = credentials.indexOf(':');
  const user = colon >= 0 ? credentials.slice(0, colon) : '';
  return `${s.slice(0, start + 2)}${user && !/[/?#]/.test(user) ? `${user}:` : ''}***${s.slice(at)}`;
}
