/**
 * Fastify's form of the `trustProxy` option. A hop count trusts that many proxies counted from
 * the hub, so with one load balancer the client IP is the address that balancer saw, whatever a
 * client wrote into X-Forwarded-For before it.
 */
export function fastifyTrustProxy(trust: boolean | number | string[]): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trust === 'number') return (_address: string, hop: number) => hop < trust;
  return trust;
}
