// GraphiQL without the internet: yoga's own page loads its scripts and styles from unpkg, so offline it stays on
// "Loading…". This page loads the same GraphiQL (yoga's build, from @graphql-yoga/render-graphiql, whose version
// follows graphql-yoga's) from this server, under /graphiql/assets/ with content-hashed names, and nothing from
// another origin (its Content-Security-Policy says so to the browser). Only installed when GraphiQL is on: in
// production the assets are not served, nor loaded into memory.
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { GraphiQLOptions, Plugin } from 'graphql-yoga';

export const GRAPHIQL_ASSETS_PATH = '/graphiql/assets/';

/** The page may load and connect to this server only: scripts from files (no inline script, no eval). */
const PAGE_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  // React and Monaco set styles at run time.
  "style-src 'self' 'unsafe-inline'",
  // GraphiQL's fonts and icons are data: URLs inside its stylesheet.
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const JS = 'text/javascript; charset=utf-8';

interface Asset {
  type: string;
  body: Buffer;
  gzipped?: Promise<Buffer>;
}

interface Assets {
  /** Public URL by logical name (yoga-graphiql.js, graphiql.css, …). */
  urls: Record<string, string>;
  /** By file name, the hash included. */
  files: Map<string, Asset>;
}

/**
 * Starts the page: Monaco's workers from this server, then yoga's GraphiQL with the options the page carries as JSON
 * (a deferred script, so it runs before the deferred bundle, which renders once the document is parsed).
 */
const START = `(() => {
  const config = JSON.parse(document.getElementById('graphiql-config').textContent);
  self.MonacoEnvironment = {
    globalAPI: false,
    getWorkerUrl: (_moduleId, label) => config.workers[label] || config.workers.editorWorkerService,
  };
  addEventListener('DOMContentLoaded', () => {
    YogaGraphiQL.renderYogaGraphiQL(document.getElementById('root'), config.options);
  });
})();
`;

async function loadAssets(): Promise<Assets> {
  const graphiql = await import('@graphql-yoga/render-graphiql/graphiql');
  const sources: [name: string, type: string, body: Buffer][] = [
    ['start.js', JS, Buffer.from(START)],
    ['yoga-graphiql.js', JS, Buffer.from(graphiql.js)],
    ['graphiql.css', 'text/css; charset=utf-8', Buffer.from(graphiql.css)],
    ['editor.worker.js', JS, Buffer.from(graphiql.editorWorkerService)],
    ['json.worker.js', JS, Buffer.from(graphiql.jsonWorker)],
    ['graphql.worker.js', JS, Buffer.from(graphiql.graphqlWorker)],
    ['favicon.ico', 'image/x-icon', Buffer.from(graphiql.favicon.replace(/^data:[^,]*;base64,/, ''), 'base64')],
  ];
  const urls: Record<string, string> = {};
  const files = new Map<string, Asset>();
  for (const [name, type, body] of sources) {
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 16);
    const file = name.replace(/(\.[a-z]+)$/, `.${hash}$1`);
    urls[name] = GRAPHIQL_ASSETS_PATH + file;
    files.set(file, { type, body });
  }
  return { urls, files };
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** JSON inside <script>: no "</script>" or "<!--" can end it early. */
const scriptJson = (value: unknown) =>
  JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');

const gzipAsync = promisify(gzip);

/**
 * GraphiQL served from this server: `render` is createYoga's renderGraphiQL (the page), `plugin` serves the assets
 * and sets the page's headers. Install both only when GraphiQL is on.
 */
export function selfHostedGraphiQL(graphqlEndpoint: string): {
  render: (options: GraphiQLOptions) => Promise<string>;
  plugin: Plugin;
} {
  let loading: Promise<Assets> | undefined;
  // Loaded on the first request, once; a failed load is tried again on the next one.
  const assets = () =>
    (loading ??= loadAssets().catch((error: unknown) => {
      loading = undefined;
      throw error;
    }));

  const render = async (options: GraphiQLOptions) => {
    const { urls } = await assets();
    const config = {
      options,
      workers: {
        editorWorkerService: urls['editor.worker.js'],
        json: urls['json.worker.js'],
        graphql: urls['graphql.worker.js'],
      },
    };
    const title = escapeHtml(options.title ?? 'GraphiQL');
    return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>${title}</title>
    <link rel="icon" href="${urls['favicon.ico']}">
    <link rel="stylesheet" href="${urls['graphiql.css']}">
    <script id="graphiql-config" type="application/json">${scriptJson(config)}</script>
    <script defer src="${urls['start.js']}"></script>
    <script defer src="${urls['yoga-graphiql.js']}"></script>
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>GraphiQL needs JavaScript.</noscript>
    <div id="root">Loading ${title}…</div>
  </body>
</html>
`;
  };

  const plugin: Plugin = {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (!url.pathname.startsWith(GRAPHIQL_ASSETS_PATH)) return;
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        return endResponse(new fetchAPI.Response(null, { status: 405, headers: { allow: 'GET, HEAD' } }));
      }
      return assets().then(async ({ files }) => {
        const asset = files.get(url.pathname.slice(GRAPHIQL_ASSETS_PATH.length));
        if (!asset) {
          return endResponse(
            new fetchAPI.Response('Not found', {
              status: 404,
              headers: { 'content-type': 'text/plain; charset=utf-8' },
            }),
          );
        }
        const headers: Record<string, string> = {
          'content-type': asset.type,
          // The name carries the content's hash: a new version is a new URL.
          'cache-control': 'public, max-age=31536000, immutable',
          'x-content-type-options': 'nosniff',
          vary: 'accept-encoding',
        };
        let body = asset.body;
        const compressible = asset.type !== 'image/x-icon';
        if (compressible && /\bgzip\b/.test(request.headers.get('accept-encoding') ?? '')) {
          asset.gzipped ??= gzipAsync(asset.body);
          body = await asset.gzipped;
          headers['content-encoding'] = 'gzip';
        }
        headers['content-length'] = String(body.length);
        endResponse(
          new fetchAPI.Response(
            request.method === 'HEAD'
              ? null
              : new Uint8Array(body.buffer as ArrayBuffer, body.byteOffset, body.byteLength),
            { headers },
          ),
        );
      });
    },
    onResponse({ request, response }) {
      // The page itself (yoga's GraphiQL plugin answers it with our render): never cached, since its asset URLs
      // change with a new version, and confined to this origin.
      if (request.method !== 'GET' || !response.headers.get('content-type')?.startsWith('text/html')) return;
      if (new URL(request.url).pathname.replace(/\/$/, '') !== graphqlEndpoint) return;
      response.headers.set('content-type', 'text/html; charset=utf-8');
      response.headers.set('cache-control', 'no-cache');
      response.headers.set('content-security-policy', PAGE_POLICY);
      response.headers.set('x-content-type-options', 'nosniff');
      response.headers.set('referrer-policy', 'no-referrer');
    },
  };

  return { render, plugin };
}
