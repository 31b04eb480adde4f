import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { useGraphQlJit } from '@envelop/graphql-jit';
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { sql } from 'drizzle-orm';
import { GraphQLError, NoSchemaIntrospectionCustomRule } from 'graphql';
import { createGraphQLError, createYoga, type Plugin } from 'graphql-yoga';
import { clientAddress } from './client-address.js';
import { type Clock, systemClock } from './clock.js';
import type { Config } from './config.js';
import type { Database } from './db/client.js';
import { selfHostedGraphiQL } from './graphiql.js';
import type { GraphQLContext } from './graphql/context.js';
import { costAndRateLimit } from './graphql/cost.js';
import { contentLanguage, errorCodes } from './graphql/error-codes.js';
import { unmaskDomainError } from './graphql/errors.js';
import { idempotency } from './graphql/idempotency.js';
import { inputGuard } from './graphql/input-guard.js';
import { jitSafe } from './graphql/jit-safe.js';
import { createLoaders } from './graphql/loaders.js';
import { buildSchema } from './graphql/schema.js';
import { bounded, describeError, logError, logger, logWarning, requestContext } from './log.js';
import { localeOf, type Message, msg, render } from './messages/index.js';
import { oauthTokenEndpoint } from './oauth.js';
import { credentialsKey } from './services/bulk/credentials.js';
import { serviceContext } from './services/context.js';
import { DomainError, ValidationErrors } from './services/errors.js';

// Limits on every request. Depth 10 is what the README's deepest query needs (customer → licenses → users → edges →
// node → licenses → sku → name). Aliases, tokens and directives keep graphql-armor's defaults. maxNodes is the cost
// limit: the objects and fields one request may return, counted with its variables (graphql/cost.ts), the figure of
// extensions.cost. A page of 500 users (the page cap) with the README tour's fields costs about 24 000, so one full
// page passes while fan-outs of many pages are refused.
export const LIMITS = {
  maxDepth: 10,
  maxAliases: 15,
  maxTokens: 1000,
  maxDirectives: 50,
  maxNodes: 50_000,
};

/** Refuses bodies over the limit before reading them; multipart requests (CSV uploads) have their own, larger one. */
function bodyLimit(maxBodyBytes: number, maxUploadBytes: number): Plugin {
  return {
    onRequest({ request, endResponse }) {
      if (request.method !== 'POST') return;
      const length = request.headers.get('content-length');
      const maxBytes = request.headers.get('content-type')?.startsWith('multipart/form-data')
        ? maxUploadBytes
        : maxBodyBytes;
      const refuse = (status: number, message: Message) =>
        endResponse(
          new Response(
            JSON.stringify({
              errors: [
                {
                  message: render(message, localeOf(request.headers.get('accept-language'))),
                  extensions: {
                    code: status === 413 ? 'PAYLOAD_TOO_LARGE' : 'LENGTH_REQUIRED',
                    params: message.params,
                  },
                },
              ],
            }),
            {
              status,
              headers: { 'content-type': 'application/json' },
            },
          ),
        );
      if (length === null) return refuse(411, msg('requests.lengthRequired'));
      if (Number(length) > maxBytes) return refuse(413, msg('requests.bodyTooLarge', { maxBytes }));
    },
  };
}

/** The GraphQL-over-HTTP preflight header, Apollo's, and yoga's: any one proves a non-simple request. */
const CSRF_HEADERS = ['graphql-preflight', 'apollo-require-preflight', 'x-graphql-yoga-csrf'];

/** Introspection only where GraphiQL is on: graphql-js's own rule refuses __schema and __type otherwise. */
function noIntrospectionUnless(enabled: boolean): Plugin {
  return {
    onValidate({ addValidationRule }) {
      if (!enabled) addValidationRule(NoSchemaIntrospectionCustomRule);
    },
  };
}

export interface AppOptions {
  config: Config;
  database: Database;
  clock?: Clock;
}

/**
 * /ready answers 200 when `check` says ready, else 503 (never its error: its text, a host or a user, is not for
 * anonymous callers). yoga's useReadinessCheck also matched every other request's URL against a URLPattern: ~2 % of
 * a createUser's event loop (BENCHMARKS.md, fourteenth round).
 */
function readinessCheck(endpoint: string, check: () => Promise<boolean>): Plugin {
  return {
    onRequest({ url, endResponse, fetchAPI }) {
      if (url.pathname !== endpoint) return;
      return check().then((ready) => endResponse(new fetchAPI.Response(null, { status: ready ? 200 : 503 })));
    },
  };
}

export function createApp({ config, database, clock = systemClock }: AppOptions) {
  let warnedAboutProxy = false;
  /** Set when the server is stopping: /ready answers 503 so a load balancer stops sending requests first. */
  const state = { draining: false };
  const schema = buildSchema();
  const graphiql = config.graphiql ? selfHostedGraphiQL('/graphql') : undefined;
  const yoga = createYoga<{ req?: IncomingMessage }, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // The body limit is ours alone (bodyLimit, below: a Content-Length is required and checked, and Node's HTTP parser
    // never reads past it). Yoga's own, on by default at 25 000 000 bytes, refused CSV uploads between that and
    // MAX_UPLOAD_BYTES (32 MiB), and piped every request body through a TransformStream to count its bytes: ~3 % of
    // a users page's CPU, an AbortController and its DOMException each time.
    maxRequestBodySize: false,
    // Production by default: no GraphiQL, no introspection (the schema is in schema/schema.graphql for codegen), and
    // CORS only for the configured origins; bearer tokens travel in a header, never in cookies.
    cors: config.corsOrigins.length
      ? {
          origin: config.corsOrigins,
          credentials: false,
          methods: ['GET', 'POST'],
          allowedHeaders: ['authorization', 'content-type', 'idempotency-key', ...CSRF_HEADERS],
          exposedHeaders: ['idempotent-replayed', 'retry-after', 'x-request-id'],
        }
      : false,
    graphiql: config.graphiql && {
      title: 'Partner users API',
      defaultQuery:
        '# Sign in with the mutation signIn, then set the header\n# Authorization: Bearer <token>\n{ viewer { kind agent { email partnerRoles } } }\n',
      // Every request the page sends carries a preflight header, so GET and multipart pass the CSRF rule too.
      additionalHeaders: { [CSRF_HEADERS[0]!]: '1' },
    },
    // GraphiQL's scripts and styles from this server (graphiql.ts), not from a CDN: it works offline.
    renderGraphiQL: graphiql?.render,
    // Domain errors are answers, not server faults: keep them out of the error log.
    logging: {
      debug: () => {},
      info: (...args: unknown[]) => logger.info(bounded(args.map(String).join(' '))),
      warn: (...args: unknown[]) =>
        logWarning(args.map((a) => (a instanceof Error ? describeError(a) : String(a))).join(' ')),
      error: (...args: unknown[]) => {
        const isDomain = (a: unknown): boolean =>
          a instanceof DomainError ||
          a instanceof ValidationErrors ||
          (a instanceof Error && 'originalError' in a && isDomain(a.originalError));
        if (args.some(isDomain)) return;
        const error = args.find((a) => a instanceof Error);
        if (error) logError(args.filter((a) => typeof a === 'string').join(' ') || 'server error', error);
        else logger.error(bounded(args.map(String).join(' ')));
      },
    },
    maskedErrors: {
      maskError: (error, message, isDev) => {
        const mapped = unmaskDomainError(error);
        if (mapped) return mapped;
        // GraphQL's own errors (validation, armor limits) carry no original error: they are meant for the client.
        if (error instanceof GraphQLError && !error.originalError) return error;
        const original = error instanceof GraphQLError && error.originalError ? error.originalError : error;
        logError('unexpected error', original);
        return createGraphQLError(isDev ? describeError(original) : message, {
          extensions: { code: 'INTERNAL_SERVER_ERROR' },
        });
      },
      isDev: config.development,
    },
    // /health: the process answers (liveness). /ready: not stopping, and the database answers (readiness).
    healthCheckEndpoint: '/health',
    plugins: [
      readinessCheck('/ready', async () => {
        if (state.draining) return false;
        return database.db.execute(sql`select 1`).then(
          () => true,
          () => false,
        );
      }),
      // GraphiQL's assets, only where GraphiQL is on.
      ...(graphiql ? [graphiql.plugin] : []),
      bodyLimit(config.maxBodyBytes, config.maxUploadBytes),
      // Applications' client-credentials grant; a form post carrying its own secret, so no CSRF preflight applies.
      oauthTokenEndpoint(database.db, clock, config.rateLimit),
      // Requests a browser sends without a preflight (multipart, form, GET) must carry one of these headers.
      useCSRFPrevention({ requestHeaders: CSRF_HEADERS }),
      noIntrospectionUnless(config.graphiql),
      inputGuard(),
      costAndRateLimit(schema, LIMITS.maxNodes, config.rateLimit),
      errorCodes(),
      contentLanguage(),
      EnvelopArmorPlugin({
        maxDepth: { n: LIMITS.maxDepth, ignoreIntrospection: true },
        maxAliases: { n: LIMITS.maxAliases },
        maxTokens: { n: LIMITS.maxTokens },
        // The cost limit is ours (graphql/cost.ts): priced with the variables, and the same figure as extensions.cost.
        costLimit: { enabled: false },
        maxDirectives: { n: LIMITS.maxDirectives },
        blockFieldSuggestion: { enabled: !config.development },
      }),
      // Compiles each distinct query once: the users page resolves ~1 500 fields, and graphql-js's generic executor
      // was most of the server's CPU there (BENCHMARKS.md). Subscriptions, and requests leaving a declared variable
      // out, keep the standard executor (jitSafe).
      useGraphQlJit({}, { enableIf: jitSafe }),
      // Retried mutations with an Idempotency-Key get the first answer (sealed with the credentials key).
      idempotency(() => credentialsKey(config)),
    ],
    context: async ({ request, req }) => {
      const svc = serviceContext(database.db, clock);
      const forwardedFor = request.headers.get('x-forwarded-for');
      if (forwardedFor && !config.trustProxyHops && !warnedAboutProxy) {
        // Behind a proxy every client would share its address (one budget for all): say how to fix it, once.
        warnedAboutProxy = true;
        logWarning(
          'Requests carry X-Forwarded-For but TRUST_PROXY is not set: sign-in limits see the proxy as the client. Set TRUST_PROXY to the number of proxies in front of the server.',
        );
      }
      svc.clientAddress = clientAddress(req?.socket.remoteAddress, forwardedFor, config.trustProxyHops);
      const header = request.headers.get('authorization');
      const token = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
      // Authenticated just before execution, with the spend of the request's price (graphql/cost.ts).
      return {
        svc,
        loaders: createLoaders(svc),
        config,
        locale: localeOf(request.headers.get('accept-language')),
        bearerToken: token,
      };
    },
  });
  return { yoga, database, clock, config, state };
}

export type App = ReturnType<typeof createApp>;

export function listen(app: App, port: number, host: string): Promise<Server> {
  // Every request gets an id (a load balancer's x-request-id if it is a plain token): in the answer's header and in
  // every log line written while serving it.
  const server = createServer((req, res) => {
    const incoming = req.headers['x-request-id'];
    const requestId = typeof incoming === 'string' && /^[\w.:-]{1,64}$/.test(incoming) ? incoming : randomUUID();
    res.setHeader('x-request-id', requestId);
    return requestContext.run({ requestId }, () => app.yoga(req, res));
  });
  return new Promise((resolve) => server.listen(port, host, () => resolve(server)));
}

/**
 * A graceful stop: readiness fails first (and the server keeps serving for `delayMs`), then it stops accepting
 * connections and lets the requests in flight finish (up to `graceMs`, after which the remaining connections are
 * cut). The caller then hands back jobs and closes the database, which nothing uses any more.
 */
export async function drain(app: App, server: Server, graceMs: number, delayMs = 0): Promise<void> {
  app.state.draining = true;
  // Still serving while a load balancer notices /ready failing and stops sending requests here.
  if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const deadline = setTimeout(() => server.closeAllConnections(), graceMs);
  await closed;
  clearTimeout(deadline);
}
