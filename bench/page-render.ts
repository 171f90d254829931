/**
 * What translating costs a page: renders the login page (frame and flow body, with Kratos' nodes)
 * in English and German, interleaved, and prints µs per page. `npm run bench:pages`.
 */
import { renderPage } from '../packages/hub/src/http/render-page.ts';
import type { Locale } from '../packages/hub/src/i18n/locales.ts';
import { renderFlowBody } from '../packages/hub/src/login/render-flow-page.ts';
import { HubRequest, runHubRequest } from '../packages/hub/src/request/hub-request.ts';

const flow = {
  id: 'f1',
  state: 'choose_method',
  ui: {
    action: 'https://login.example.com/self-service/login?flow=f1',
    method: 'POST',
    nodes: [
      { type: 'input', group: 'default', attributes: { name: 'csrf_token', type: 'hidden', value: 'x'.repeat(88) }, messages: [], meta: {} },
      { type: 'input', group: 'default', attributes: { name: 'identifier', type: 'text', value: '', required: true }, messages: [], meta: { label: { id: 1070004, text: 'ID', type: 'info' } } },
      { type: 'input', group: 'password', attributes: { name: 'password', type: 'password', required: true }, messages: [], meta: { label: { id: 1070001, text: 'Password', type: 'info' } } },
      { type: 'input', group: 'password', attributes: { name: 'method', type: 'submit', value: 'password' }, messages: [], meta: { label: { id: 1010022, text: 'Sign in', type: 'info' } } },
      { type: 'input', group: 'code', attributes: { name: 'method', type: 'submit', value: 'code' }, messages: [], meta: { label: { id: 1010015, text: 'Send sign in code', type: 'info' } } },
    ],
    messages: [{ id: 4000006, text: 'The provided credentials are invalid.', type: 'error' }],
  },
};

function renderLogin(locale: Locale): number {
  return runHubRequest(() => {
    const body = renderFlowBody('login', flow as never, { hubOrigin: 'https://login.example.com', linkOrigins: [], notice: undefined, links: { returnTo: undefined, signedIn: false }, destination: undefined });
    return renderPage({ title: 'Sign in', body }).length;
  }, new HubRequest('bench', { acceptLanguage: locale }));
}

const ROUNDS = 6;
const PER_ROUND = 5_000;
const results: Record<string, number[]> = { en: [], de: [] };
for (const l of ['en', 'de'] as const) for (let i = 0; i < 500; i++) renderLogin(l);
for (let r = 0; r < ROUNDS; r++) {
  for (const l of (r % 2 ? ['de', 'en'] : ['en', 'de']) as Locale[]) {
    const cpu = process.cpuUsage();
    for (let i = 0; i < PER_ROUND; i++) renderLogin(l);
    const used = process.cpuUsage(cpu);
    results[l]!.push(((used.user + used.system) / PER_ROUND));
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const [l, xs] of Object.entries(results)) console.log(`login page (${l}): ${median(xs).toFixed(1)} µs CPU per page (median of ${ROUNDS} rounds of ${PER_ROUND})`);
console.log(`German/English: ${(median(results.de!) / median(results.en!)).toFixed(2)}×`);
