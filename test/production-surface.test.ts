// Production is the default: no GraphiQL and no introspection unless enabled, CORS only for listed origins, and
// requests a browser sends without a preflight (multipart uploads, forms, GET) need a preflight header.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/db/client.js';
import { createApp } from '../src/server.js';
import { startServer, type TestServer } from './support/server.js';

let prod: TestServer;
let explore: TestServer;

beforeAll(async () => {
  prod = await startServer({ CORS_ORIGINS: 'https://console.example.com' });
  explore = await startServer({ GRAPHIQL: '1' });
});
afterAll(async () => {
  await prod.close();
  await explore.close();
});

const INTROSPECT = `{ __schema { queryType { name } } }`;

describe('the production surface', () => {
  it('serves GraphiQL and introspection only when enabled', async () => {
    const page = (s: TestServer) => fetch(s.url, { headers: { accept: 'text/html' } });
    expect(await (await page(explore)).text()).toContain('Partner users API');
    expect((await page(prod)).headers.get('content-type') ?? '').not.toContain('text/html');
    expect((await explore.gql(INTROSPECT)).data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    const refused = await prod.gql(INTROSPECT);
    expect(refused.errors?.[0]).toMatchObject({ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    expect(refused.errors?.[0]?.message).toMatch(/introspection/i);
  });

  it('answers CORS only for the listed origins', async () => {
    const preflight = (origin: string) =>
      fetch(prod.url, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type',
        },
      });
    const allowed = await preflight('https://console.example.com');
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://console.example.com');
    expect(allowed.headers.get('access-control-allow-credentials')).toBeNull();
    const other = await preflight('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).not.toBe('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).not.toBe('*');
    const none = await fetch(explore.url, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(none.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses a multipart or GET request without a preflight header (CSRF), and takes it with one', async () => {
    const form = () => {
      const f = new FormData();
      f.append('operations', JSON.stringify({ query: '{ viewer { kind } }' }));
      f.append('map', '{}');
      return f;
    };
    expect((await fetch(prod.url, { method: 'POST', body: form() })).status).toBe(403);
    const ok = await fetch(prod.url, { method: 'POST', headers: { 'graphql-preflight': '1' }, body: form() });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ data: { viewer: null } });
    const get = `${prod.url}?query=${encodeURIComponent('{ viewer { kind } }')}`;
    expect((await fetch(get)).status).toBe(403);
    expect((await fetch(get, { headers: { 'graphql-preflight': '1' } })).status).toBe(200);
  });

  it('answers /ready with 200 only while not stopping and the database answers, and only at /ready', async () => {
    const ready = (app: ReturnType<typeof createApp>, path = '/ready') =>
      Promise.resolve(app.yoga.fetch(`http://localhost${path}`)).then((r) => r.status);
    const app = createApp({ config: prod.config, database: prod.database });
    expect(await ready(app)).toBe(200);
    // Any other path goes on to yoga (here: not found), even one that merely ends with /ready.
    expect(await ready(app, '/graphql/ready')).toBe(404);
    expect(await ready(app, '/graphql?next=/ready')).not.toBe(200);
    app.state.draining = true;
    expect(await ready(app)).toBe(503);
    const down = { ...prod.database, db: { execute: () => Promise.reject(new Error('connection refused')) } };
    const cut = createApp({ config: prod.config, database: down as unknown as Database });
    const answer = await cut.yoga.fetch('http://localhost/ready');
    expect(answer.status).toBe(503);
    // Never the error's text: it may name a host or a user.
    expect(await answer.text()).toBe('');
  });
});
