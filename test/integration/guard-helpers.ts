import { HttpSession } from '@ssohub/testkit';
import type { HubStack } from '../support/hub-stack.ts';

/** Kratos answers with bcrypt at cost 12 by default; the guard tests do not test hashing. */
export const FAST_HASHING = { hashers: { bcrypt: { cost: 4 } } };

interface UiNode {
  attributes: { name?: string; value?: unknown };
}
export interface Flow {
  id: string;
  ui: { action: string; nodes: UiNode[]; messages?: { id: number }[] };
  state?: string;
}

/** Creates an identity through Kratos' admin API (faster than a registration flow). */
export async function createIdentity(stack: HubStack, email: string, password: string): Promise<string> {
  const res = await fetch(`${stack.kratos.adminUrl}/admin/identities`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      schema_id: 'person',
      traits: { email, name: 'Guard Test' },
      credentials: { password: { config: { password } } },
      verifiable_addresses: [{ value: email, verified: true, via: 'email', status: 'completed' }],
    }),
  });
  if (res.status !== 201) throw new Error(`identity creation failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

/** A browser at a client IP (the hub trusts X-Forwarded-For in these tests). */
export class Browser {
  readonly session = new HttpSession();
  readonly ip: string;
  /** Kratos' session cookie (its session.cookie.name), which a successful sign-in sets. */
  readonly sessionCookie: string;
  constructor(ip: string, sessionCookie = 'ory_kratos_session') {
    this.ip = ip;
    this.sessionCookie = sessionCookie;
  }

  async startFlow(baseUrl: string, kind: 'login' | 'registration' | 'recovery' | 'verification'): Promise<Flow> {
    const res = await this.session.request(`${baseUrl}/self-service/${kind}/browser`, {
      headers: { accept: 'application/json', 'x-forwarded-for': this.ip },
    });
    if (res.status !== 200) throw new Error(`flow init failed: ${res.status} ${res.body.slice(0, 300)}`);
    return JSON.parse(res.body) as Flow;
  }

  /** Posts a form to the flow's action on `baseUrl` (another instance may serve it). */
  async submit(baseUrl: string, flow: Flow, fields: Record<string, string>) {
    const action = new URL(flow.ui.action);
    const res = await this.session.request(`${baseUrl}${action.pathname}${action.search}`, {
      form: { csrf_token: csrfOf(flow), ...fields },
      headers: { 'x-forwarded-for': this.ip },
      follow: false,
    });
    const session = res.headers.getSetCookie().some((c) => c.startsWith(`${this.sessionCookie}=`) && !/max-age=0/i.test(c));
    return { status: res.status, session, retryAfter: res.headers.get('retry-after'), body: res.body };
  }

  /** One password sign-in attempt on a fresh flow. */
  async signIn(baseUrl: string, identifier: string, password: string) {
    const flow = await this.startFlow(baseUrl, 'login');
    return this.submit(baseUrl, flow, { method: 'password', identifier, password });
  }

  /** Reads a flow's state through the hub (with this browser's cookies). */
  async flow(baseUrl: string, kind: string, id: string): Promise<Flow> {
    const res = await this.session.request(`${baseUrl}/self-service/${kind}/flows?id=${id}`, {
      headers: { accept: 'application/json', 'x-forwarded-for': this.ip },
    });
    return JSON.parse(res.body) as Flow;
  }
}

export function csrfOf(flow: Flow): string {
  const node = flow.ui.nodes.find((n) => n.attributes.name === 'csrf_token');
  return typeof node?.attributes.value === 'string' ? node.attributes.value : '';
}

let counter = 0;
export function uniqueEmail(label: string): string {
  return `${label}.${Date.now().toString(36)}${counter++}@example.test`;
}
