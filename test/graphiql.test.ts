// GraphiQL works offline: the page loads its scripts and styles from this server only (src/graphiql.ts), and only
// where GraphiQL is on. The browser check (test/browser.test.ts) runs the page; this one checks it over HTTP.
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './support/server.js';

let explore: TestServer;
let prod: TestServer;

beforeAll(async () => {
  [explore, prod] = await Promise.all([startServer({ GRAPHIQL: '1' }), startServer({ GRAPHIQL: '0' })]);
});
afterAll(async () => {
  await Promise.all([explore?.close(), prod?.close()]);
});

const page = (s: TestServer) => fetch(s.url, { headers: { accept: 'text/html' } });

/** Every URL the page loads: scripts, stylesheets, icons, and Monaco's workers (in the page's JSON config). */
function referencedUrls(html: string): string[] {
  const attributes = [...html.matchAll(/<(?:script|link)\b[^>]*?\b(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
  const config = JSON.parse(html.match(/<script id="graphiql-config" type="application\/json">(.*?)<\/script>/s)![1]!);
  return [...attributes, ...Object.values(config.workers as Record<string, string>)];
}

const TYPES: Record<string, RegExp> = {
  js: /^text\/javascript; charset=utf-8$/,
  css: /^text\/css; charset=utf-8$/,
  ico: /^image\/x-icon$/,
};

describe('GraphiQL served from the server itself', () => {
  it('answers GET /graphql for a browser with the page, its defaults and the CSRF header', async () => {
    const res = await page(explore);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const policy = res.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("connect-src 'self'");
    const html = await res.text();
    expect(html).toContain('<title>Partner users API</title>');
    expect(html).not.toMatch(/unpkg|jsdelivr|https?:\/\//);
    const config = JSON.parse(
      html.match(/<script id="graphiql-config" type="application\/json">(.*?)<\/script>/s)![1]!,
    );
    expect(config.options).toMatchObject({
      title: 'Partner users API',
      defaultQuery: expect.stringContaining('{ viewer { kind agent { email partnerRoles } } }'),
      // One of the headers the CSRF rule accepts (src/server.ts), on every request the page sends.
      additionalHeaders: { 'graphql-preflight': '1' },
    });
  });

  it('serves every script, stylesheet and worker the page references, same-origin, with its type', async () => {
    const html = await (await page(explore)).text();
    const urls = referencedUrls(html);
    // start.js, yoga-graphiql.js, graphiql.css, favicon.ico and the three workers.
    expect(urls).toHaveLength(7);
    const origin = new URL(explore.url).origin;
    for (const ref of urls) {
      const url = new URL(ref, explore.url);
      expect(url.origin, ref).toBe(origin);
      expect(url.pathname, ref).toMatch(/^\/graphiql\/assets\/[\w.-]+\.[0-9a-f]{16}\.(js|css|ico)$/);
      const res = await fetch(url);
      expect(res.status, ref).toBe(200);
      expect(res.headers.get('content-type'), ref).toMatch(TYPES[url.pathname.split('.').at(-1)!]!);
      expect(res.headers.get('cache-control'), ref).toBe('public, max-age=31536000, immutable');
      expect(res.headers.get('x-content-type-options'), ref).toBe('nosniff');
      expect((await res.arrayBuffer()).byteLength, ref).toBeGreaterThan(100);
    }
    const bundle = urls.find((u) => u.includes('yoga-graphiql'))!;
    expect(await (await fetch(new URL(bundle, explore.url))).text()).toContain('renderYogaGraphiQL');
  });

  it('compresses text assets for clients that accept gzip, and refuses unknown names', async () => {
    const css = referencedUrls(await (await page(explore)).text()).find((u) => u.endsWith('.css'))!;
    const raw = await fetch(new URL(css, explore.url), { headers: { 'accept-encoding': 'identity' } });
    const plain = Buffer.from(await raw.arrayBuffer());
    expect(raw.headers.get('content-encoding')).toBeNull();
    expect(plain.toString()).toContain('.graphiql-container');
    // Node's fetch would decompress: read the bytes as they travel.
    const { request } = await import('node:http');
    const zipped = await new Promise<{ encoding?: string; vary?: string; body: Buffer }>((resolve, reject) => {
      request(new URL(css, explore.url), { headers: { 'accept-encoding': 'gzip' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            encoding: res.headers['content-encoding'],
            vary: res.headers.vary,
            body: Buffer.concat(chunks),
          }),
        );
      })
        .on('error', reject)
        .end();
    });
    expect(zipped.encoding).toBe('gzip');
    expect(zipped.vary).toBe('accept-encoding');
    expect(zipped.body.length).toBeLessThan(plain.length);
    expect(gunzipSync(zipped.body).equals(plain)).toBe(true);

    expect((await fetch(new URL('/graphiql/assets/nope.0123456789abcdef.js', explore.url))).status).toBe(404);
    expect((await fetch(new URL(css, explore.url), { method: 'POST', body: 'x' })).status).toBe(405);
  });

  it('serves neither the page nor the assets when GraphiQL is off', async () => {
    const urls = referencedUrls(await (await page(explore)).text());
    const res = await page(prod);
    expect(res.headers.get('content-type') ?? '').not.toContain('text/html');
    expect(await res.text()).not.toContain('graphiql');
    for (const ref of urls) {
      const asset = await fetch(new URL(ref, prod.url));
      expect(asset.status, ref).toBe(404);
      expect(await asset.text()).not.toContain('renderYogaGraphiQL');
    }
  });
});
