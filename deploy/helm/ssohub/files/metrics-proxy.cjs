// Metrics-only sidecar of the hub pod (metrics.enabled): the hub serves /metrics on its admin
// listener, which stays on the pod's loopback because /admin/* is there too. This process answers
// GET /metrics on the pod's network by asking 127.0.0.1 for that one path, and 404 to anything
// else, so a scraper never reaches the admin API. Run with `node -e` from the hub image (no other
// image to mirror or patch). Settings: METRICS_PORT (listen), METRICS_UPSTREAM (the admin
// listener's /metrics URL).
'use strict';
const http = require('node:http');

const port = Number(process.env.METRICS_PORT);
const upstream = URL.canParse(process.env.METRICS_UPSTREAM || '') ? new URL(process.env.METRICS_UPSTREAM) : undefined;
if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error('METRICS_PORT must be a port number');
// The admin listener on loopback and its /metrics only: this proxy must not become a way to anything else.
if (upstream?.protocol !== 'http:' || upstream.hostname !== '127.0.0.1' || upstream.pathname !== '/metrics' || upstream.search) {
  throw new Error('METRICS_UPSTREAM must be http://127.0.0.1:<admin port>/metrics');
}

const server = http.createServer((req, res) => {
  const path = (req.url || '').split('?')[0];
  if (path !== '/metrics') return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  if (req.method !== 'GET') return void res.writeHead(405, { allow: 'GET', 'content-type': 'text/plain' }).end('method not allowed\n');
  // Only content negotiation goes upstream: no cookie, no Authorization, no query string.
  const headers = {};
  for (const name of ['accept', 'accept-encoding']) if (req.headers[name]) headers[name] = req.headers[name];
  const call = http.get(upstream, { headers, timeout: 25_000 }, (answer) => {
    const out = {};
    for (const name of ['content-type', 'content-encoding', 'cache-control']) if (answer.headers[name]) out[name] = answer.headers[name];
    res.writeHead(answer.statusCode || 502, out);
    answer.pipe(res);
  });
  call.on('timeout', () => call.destroy(new Error('timeout')));
  call.on('error', () => {
    // The hub is starting, restarting or stuck: Prometheus records the target as down.
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' }).end('the hub\'s admin listener did not answer\n');
    else res.destroy();
  });
});
server.keepAliveTimeout = 65_000;
server.listen(port, '0.0.0.0');
// PID 1 of its container: Node installs no default SIGTERM handler there.
const stop = () => {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
