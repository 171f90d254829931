import type { FastifyReply } from 'fastify';
import { allowClientImage } from '../http/security-headers.ts';
import type { AnyFlow } from '../kratos/kratos-client.ts';
import type { UpstreamLogos } from './upstream-logos-config.ts';

/**
 * The logos of the upstream providers this flow page shows a button for (Kratos' `oidc` nodes),
 * each allowed in this answer's CSP: an https logo's origin joins img-src for this answer only,
 * a data: logo needs nothing. Pages without such buttons allow no other origin.
 */
export function providerLogosFor(flow: AnyFlow, logos: UpstreamLogos | undefined, reply: FastifyReply): Record<string, string> | undefined {
  const nodes = ((flow as { ui?: { nodes?: { group: string; attributes: { value?: unknown } }[] } }).ui?.nodes ?? []).filter((n) => n.group === 'oidc');
  if (!nodes.length) return undefined;
  const out: Record<string, string> = {};
  for (const n of nodes) {
    const id = String(n.attributes.value ?? '');
    const logo = logos?.find((l) => l.provider === id)?.logo;
    if (!logo || out[id]) continue;
    const src = logo.startsWith('data:') ? logo : allowClientImage(reply, logo);
    if (src) out[id] = src;
  }
  return out;
}
