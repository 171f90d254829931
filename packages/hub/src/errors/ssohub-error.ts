/**
 * SsoHubErrorCode names every error the hub itself raises. Protocol errors on OIDC paths use
 * oidc-provider's own `errors.*` instead, so clients see standard OAuth error codes.
 */
export type SsoHubErrorCode =
  | 'SSOHUB_ERR_CONFIG'
  | 'SSOHUB_ERR_KRATOS_UNAVAILABLE'
  | 'SSOHUB_ERR_STORE_UNAVAILABLE'
  | 'SSOHUB_ERR_FLOW_EXPIRED'
  | 'SSOHUB_ERR_FLOW_NOT_FOUND'
  | 'SSOHUB_ERR_CSRF'
  | 'SSOHUB_ERR_RETURN_TO_REFUSED'
  | 'SSOHUB_ERR_THROTTLED'
  | 'SSOHUB_ERR_LOCKED'
  | 'SSOHUB_ERR_BAD_REQUEST'
  | 'SSOHUB_ERR_NOT_FOUND'
  | 'SSOHUB_ERR_UNAUTHORIZED'
  | 'SSOHUB_ERR_CONFLICT'
  | 'SSOHUB_ERR_VALIDATION'
  | 'SSOHUB_ERR_INTERACTION'
  | 'SSOHUB_ERR_INTERNAL';

import type { LocalizableText } from '../i18n/localizable-text.ts';

/** A link on an error page: where the user can go from there. */
export interface ErrorAction {
  href: string;
  text: string;
  /** Names the link for tests: `data-testid="error/action/<id>"`. */
  id?: string;
}

/**
 * SsoHubError is the base of every error the hub raises on purpose. `expose` says whether its
 * message may be shown to the user; `cause` and `detail` only ever reach the log.
 */
export class SsoHubError extends Error {
  override name = 'SsoHubError';
  readonly code: SsoHubErrorCode;
  readonly status: number;
  readonly expose: boolean;
  /** Extra facts for the log (never shown). */
  readonly detail: Record<string, unknown> | undefined;
  /** Extra headers to send with the error page (e.g. Retry-After). */
  readonly headers: Record<string, string> | undefined;
  /** The ways on the error page offers, instead of its default "Go to sign-in". */
  readonly actions: ErrorAction[] | undefined;
  /**
   * The message as catalog text, when it is one: pages show it in the user's language, while
   * `message` (its English) goes to logs and API callers.
   */
  readonly text: LocalizableText | undefined;

  constructor(
    code: SsoHubErrorCode,
    message: string | LocalizableText,
    options: {
      status?: number;
      expose?: boolean;
      cause?: unknown;
      detail?: Record<string, unknown>;
      headers?: Record<string, string>;
      actions?: ErrorAction[];
    } = {},
  ) {
    super(typeof message === 'string' ? message : message.english, options.cause === undefined ? undefined : { cause: options.cause });
    this.text = typeof message === 'string' ? undefined : message;
    this.code = code;
    this.status = options.status ?? 500;
    this.expose = options.expose ?? this.status < 500;
    this.detail = options.detail;
    this.headers = options.headers;
    this.actions = options.actions;
  }
}

/** ConfigError lists every invalid option at once, each named by its dotted path. */
export class ConfigError extends SsoHubError {
  override name = 'ConfigError';
  readonly problems: string[];
  constructor(problems: string[]) {
    super('SSOHUB_ERR_CONFIG', `invalid SSO Hub configuration:\n  - ${problems.join('\n  - ')}`, { status: 500, expose: false });
    this.problems = problems;
  }
}
