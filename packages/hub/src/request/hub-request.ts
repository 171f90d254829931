/**
 * Owns the one per-request object of the hub: what the hub has learnt while answering one HTTP
 * request, held in one AsyncLocalStorage and read through one accessor (currentHubRequest).
 *
 * It is created at the edge (http/register-hub-request.ts, the first hook of every listener) and
 * read deep down where passing it explicitly would mean threading it through code the hub does
 * not own: ioredis' command path (storage/store-scope.ts) and oidc-provider's adapter and
 * account lookups (the bridge). Everything a layer records here is a typed field, never a
 * string flag on a framework's context.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { type LocaleSources, negotiateLocale } from '../i18n/negotiate-locale.ts';
import type { Locale } from '../i18n/locales.ts';
// The type as Kratos' SDK declares it (kratos-client.ts re-exports it): importing it from the
// client would close a cycle, as the client sends each call with the request's id.
import type { Identity } from '@ory/client';
import type { Span, Tracer } from '@opentelemetry/api';

/** What Kratos showed for the browser's own session at `/auth`, before the provider ran. */
export type KratosCheck =
  /** Not asked in this request (not /auth, or no provider session to re-check). */
  | { kind: 'unchecked' }
  /** The session needs the second factor the identity now has (session_aal2_required). */
  | { kind: 'needs-aal2' }
  /** The provider session is bound to the browser's Kratos session, which shows this identity. */
  | { kind: 'bound'; identity: Identity | undefined };

/**
 * What the OIDC bridge keeps while it answers one provider request or interaction page
 * (bridge/adapter/request-scope.ts reads and writes it).
 */
export interface BridgeFacts {
  /**
   * Whether the bridge's shortcuts apply (bridge.shortcuts): shared reads, deferred writes,
   * read-ahead and reused Kratos checks. Off, every step takes its plain path.
   */
  readonly shortcuts: boolean;
  /** Store reads by key, shared by every reader in the request; undefined once it is over. */
  reads: Map<string, Promise<unknown>> | undefined;
  /** Writes are sent at once and awaited together before anything is answered. */
  readonly deferWrites: boolean;
  /** Deferred writes still in flight. */
  readonly pending: Promise<unknown>[];
  kratos: KratosCheck;
}

export class HubRequest {
  /**
   * The request's id (Fastify's, in every log line of the request): the reference pages show
   * where the hub cannot reach the Fastify request (oidc-provider's own error pages).
   */
  readonly id: string | undefined;

  /** Where this request's language comes from (read at the edge, lazily); used once, by `locale`. */
  readonly #localeSources: LocaleSources | (() => LocaleSources);
  #locale: Locale | undefined;

  constructor(id?: string, localeSources: LocaleSources | (() => LocaleSources) = {}) {
    this.id = id;
    this.#localeSources = localeSources;
  }

  /**
   * The language of the pages this request renders (i18n/negotiate-locale.ts), negotiated on
   * first use: most requests (provider API calls, assets, the proxy) never render a page, so
   * they never read the headers it comes from.
   */
  get locale(): Locale {
    if (this.#locale === undefined) {
      const sources = typeof this.#localeSources === 'function' ? this.#localeSources() : this.#localeSources;
      this.#locale = negotiateLocale(sources);
    }
    return this.#locale;
  }

  /**
   * Settles the language from a source the edge could not see: the `ui_locales` an app sent in
   * its authorization request, which the hub learns only from the interaction it starts.
   */
  preferLocale(locale: Locale): void {
    this.#locale = locale;
  }

  /**
   * When one of this request's store commands last failed for want of Redis (ms on the store
   * scope's clock): its later commands fail at once (storage/store-scope.ts).
   */
  storeFailedAt: number | undefined = undefined;
  /** Set while the request is in the OIDC bridge's hands (provider route or interaction page). */
  bridge: BridgeFacts | undefined = undefined;
  /**
   * The request's span and the tracer its children come from, when tracing is on
   * (tracing/register-request-tracing.ts); the hub's parts open child spans through
   * tracing/hub-spans.ts.
   */
  trace: { span: Span; tracer: Tracer } | undefined = undefined;
}

const current = new AsyncLocalStorage<HubRequest>();

/** The request the caller is working for, or undefined outside any (background work, startup). */
export function currentHubRequest(): HubRequest | undefined {
  return current.getStore();
}

/** Runs `fn` as (part of) one request: everything it starts sees `request`. */
export function runHubRequest<T>(fn: () => T, request: HubRequest = new HubRequest()): T {
  return current.run(request, fn);
}
