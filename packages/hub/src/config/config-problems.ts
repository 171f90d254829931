import { ConfigError } from '../errors/ssohub-error.ts';

/**
 * ConfigProblems collects validation problems, each prefixed with the dotted option path, and
 * offers typed readers that record a problem and return a harmless placeholder instead of throwing,
 * so one run reports every mistake.
 */
export class ConfigProblems {
  readonly list: string[] = [];
  readonly #paths: string[] = [];

  add(path: string, problem: string): void {
    this.list.push(`${path} ${problem}`);
    this.#paths.push(path);
  }

  /** Throws every problem at once; with `only`, those of the named options and their children. */
  throwIfAny(only?: readonly string[]): void {
    const list = only === undefined ? this.list : this.list.filter((_, i) => only.some((o) => this.#paths[i] === o || this.#paths[i]!.startsWith(`${o}.`) || this.#paths[i]!.startsWith(`${o}[`)));
    if (list.length > 0) throw new ConfigError(list);
  }

  string(path: string, value: unknown): string {
    if (typeof value !== 'string' || value.length === 0) {
      this.add(path, `must be a non-empty string (got ${describe(value)})`);
      return '';
    }
    return value;
  }

  boolean(path: string, value: unknown): boolean {
    if (typeof value !== 'boolean') {
      this.add(path, `must be true or false (got ${describe(value)})`);
      return false;
    }
    return value;
  }

  integer(path: string, value: unknown, { min = -Infinity, max = Infinity }: { min?: number; max?: number } = {}): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      const range = [min !== -Infinity ? `>= ${min}` : '', max !== Infinity ? `<= ${max}` : ''].filter(Boolean).join(' and ');
      this.add(path, `must be an integer${range ? ` ${range}` : ''} (got ${describe(value)})`);
      return Number.isFinite(min) ? min : 0;
    }
    return value;
  }

  port(path: string, value: unknown): number {
    return this.integer(path, value, { min: 0, max: 65535 });
  }

  oneOf<const T extends readonly string[]>(path: string, value: unknown, allowed: T): T[number] {
    if (typeof value !== 'string' || !allowed.includes(value)) {
      this.add(path, `must be one of ${allowed.map((a) => `"${a}"`).join(', ')} (got ${describe(value)})`);
      return allowed[0] as T[number];
    }
    return value as T[number];
  }

  stringArray(path: string, value: unknown): string[] {
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
      this.add(path, `must be an array of strings (got ${describe(value)})`);
      return [];
    }
    return value as string[];
  }

  url(path: string, value: unknown): string {
    const s = this.string(path, value);
    if (!s) return s;
    try {
      const u = new URL(s);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
      return s.replace(/\/+$/, '');
    } catch {
      this.add(path, `must be an absolute http(s) URL (got ${describe(value)})`);
      return '';
    }
  }

  /** An origin: scheme, host and optional port, nothing else. */
  origin(path: string, value: unknown, { requireHttps }: { requireHttps: boolean }): string {
    const s = this.string(path, value);
    if (!s) return s;
    let u: URL;
    try {
      u = new URL(s);
    } catch {
      this.add(path, `must be an absolute URL such as https://login.example.com (got ${describe(value)})`);
      return '';
    }
    if (u.protocol !== 'https:' && u.protocol !== 'http:') this.add(path, 'must use https (or http in development)');
    else if (requireHttps && u.protocol !== 'https:') this.add(path, 'must use https in production');
    if ((u.pathname !== '/' && u.pathname !== '') || u.search || u.hash || u.username || u.password) {
      this.add(path, `must be an origin only, without path, query, fragment or credentials (got ${describe(value)})`);
    }
    return u.origin;
  }

  secret(path: string, value: unknown, minLength: number): string {
    const s = this.string(path, value);
    if (s && s.length < minLength) this.add(path, `must be at least ${minLength} characters long`);
    return s;
  }

  pem(path: string, value: unknown): string {
    const s = this.string(path, value);
    if (s && !s.includes('-----BEGIN ')) this.add(path, 'must be PEM text (use the *File variant to give a path)');
    return s;
  }
}

/** A value as quoted in a problem; a long string only by its length, so a secret is never echoed. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return value.length > 60 ? `a ${value.length}-character string` : JSON.stringify(value);
  return JSON.stringify(value) ?? String(value);
}
