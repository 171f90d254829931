import { describe, expect, it } from 'vitest';
import { ConfigProblems } from '../config/config-problems.ts';
import { checkUpstreamLogos } from './upstream-logos-config.ts';

describe('upstreamLogos', () => {
  it('keeps https and data: image logos, by provider id', () => {
    const p = new ConfigProblems();
    const logos = checkUpstreamLogos(p, [{ provider: 'corp', logo: 'https://idp.corp.example/logo.svg' }, { provider: 'lab', logo: 'data:image/png;base64,iVBORw0KGgo=' }], { mode: 'production' });
    expect(p.list).toEqual([]);
    expect(logos).toEqual([
      { provider: 'corp', logo: 'https://idp.corp.example/logo.svg' },
      { provider: 'lab', logo: 'data:image/png;base64,iVBORw0KGgo=' },
    ]);
    expect(checkUpstreamLogos(p, undefined, { mode: 'production' })).toEqual([]);
  });

  it('names each bad entry: plain http in production, credentials, script URLs, a bad id, a second logo', () => {
    const p = new ConfigProblems();
    checkUpstreamLogos(
      p,
      [
        { provider: 'corp', logo: 'http://idp.corp.example/logo.svg' },
        { provider: 'x', logo: 'https://user:pw@idp.example/l.svg' },
        { provider: 'y', logo: 'javascript:alert(1)' },
        { provider: 'Bad Id', logo: 'https://idp.example/l.svg' },
        { provider: 'z', logo: 'data:text/html;base64,PGI+' },
        { provider: 'w', logo: 'https://idp.example/w.svg' },
        { provider: 'w', logo: 'https://idp.example/w2.svg' },
      ],
      { mode: 'production' },
    );
    expect(p.list.map((l) => l.split(' ')[0])).toEqual(['upstreamLogos[0].logo', 'upstreamLogos[1].logo', 'upstreamLogos[2].logo', 'upstreamLogos[3].provider', 'upstreamLogos[4].logo', 'upstreamLogos[6].provider']);
    const dev = new ConfigProblems();
    expect(checkUpstreamLogos(dev, [{ provider: 'corp', logo: 'http://idp.localhost/logo.svg' }], { mode: 'development' })).toHaveLength(1);
    expect(checkUpstreamLogos(p, { corp: 'https://x' }, { mode: 'production' })).toEqual([]);
    expect(p.list.at(-1)).toMatch(/^upstreamLogos must be a list/);
  });
});
