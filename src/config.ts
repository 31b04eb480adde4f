import { resolve } from 'node:path';

export interface Config {
  port: number;
  host: string;
  /** postgres://… or a PGlite data folder (default ./data/pglite), or memory:// */
  databaseUrl: string;
  dataDir: string;
  seedDemo: boolean;
  development: boolean;
  /** GraphiQL and introspection: GRAPHIQL=1/0; by default on in development and for the embedded demo, off otherwise. */
  graphiql: boolean;
  /** Browser origins allowed to call the API (CORS_ORIGINS, comma-separated); none by default (same origin only). */
  corsOrigins: string[];
  tokenTtlMs: number;
  purgeIntervalMs: number;
  /** How often a bulkJobProgress subscription reads the job (any instance may be running it). */
  progressPollMs: number;
  /** Failed sign-ins one client address may make in 15 minutes, across all logins, before it is locked out. */
  signInClientMaxFailures: number;
  /** Proxies in front of the server that append to X-Forwarded-For (0: the socket's address is the client's). */
  trustProxyHops: number;
  /** How long a stopping server keeps serving after /ready turned 503, so a load balancer stops sending it requests. */
  shutdownDelayMs: number;
  /** How long a stopping server lets requests in flight finish before cutting their connections. */
  shutdownGraceMs: number;
  maxBodyBytes: number;
  /** Largest multipart request (CSV uploads); other requests keep maxBodyBytes. */
  maxUploadBytes: number;
  /** CREDENTIALS_KEY: 32 bytes, base64 or hex; without it the embedded database keeps a generated key in dataDir. */
  credentialsKey?: string;
  /**
   * Each caller's request budget, in cost points (extensions.cost): at most `maximum` (RATE_LIMIT_POINTS), refilled at
   * `restorePerSecond` (RATE_LIMIT_RESTORE_PER_SECOND); RATE_LIMIT=0 turns it off.
   */
  rateLimit: { maximum: number; restorePerSecond: number } | null;
  /** WEBHOOK_ALLOW_PRIVATE=1: webhooks may use http:// and private or loopback addresses (development, tests). */
  webhookAllowPrivate: boolean;
  bootstrap?: { partnerName: string; adminEmail: string; adminPassword: string };
}

/** A positive number from the environment, or a clear refusal to start (0, negative or text would be a bug later). */
function positive(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, not "${raw}".`);
  return value;
}

function flag(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (['1', 'true'].includes(raw)) return true;
  if (['0', 'false'].includes(raw)) return false;
  throw new Error(`${name} must be 1 or 0, not "${raw}".`);
}

/** Exact origins (scheme://host[:port]); anything else would be a misconfiguration to refuse at start. */
function origins(raw: string | undefined): string[] {
  const list = (raw ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const o of list) {
    let ok = false;
    try {
      ok = new URL(o).origin === o;
    } catch {
      ok = false;
    }
    if (!ok) throw new Error(`CORS_ORIGINS must list origins like https://console.example.com, not "${o}".`);
  }
  return list;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const dataDir = resolve(env.DATA_DIR ?? 'data');
  const databaseUrl = env.DATABASE_URL || resolve(dataDir, 'pglite');
  const embedded = !/^postgres(ql)?:\/\//.test(databaseUrl);
  const bootstrap =
    env.BOOTSTRAP_PARTNER_NAME && env.BOOTSTRAP_ADMIN_EMAIL && env.BOOTSTRAP_ADMIN_PASSWORD
      ? {
          partnerName: env.BOOTSTRAP_PARTNER_NAME,
          adminEmail: env.BOOTSTRAP_ADMIN_EMAIL,
          adminPassword: env.BOOTSTRAP_ADMIN_PASSWORD,
        }
      : undefined;
  const seedDemo = !env.SEED_DEMO ? embedded : env.SEED_DEMO === '1' || env.SEED_DEMO === 'true';
  return {
    port: positive(env, 'PORT', 4000),
    host: env.HOST ?? '127.0.0.1',
    databaseUrl,
    dataDir,
    seedDemo,
    development: env.NODE_ENV === 'development',
    graphiql: flag(env, 'GRAPHIQL') ?? (env.NODE_ENV === 'development' || seedDemo),
    corsOrigins: origins(env.CORS_ORIGINS),
    tokenTtlMs: positive(env, 'TOKEN_TTL_MINUTES', 480) * 60_000,
    purgeIntervalMs: positive(env, 'PURGE_INTERVAL_MINUTES', 60) * 60_000,
    progressPollMs: positive(env, 'PROGRESS_POLL_MS', 500),
    shutdownGraceMs: positive(env, 'SHUTDOWN_GRACE_SECONDS', 10) * 1000,
    shutdownDelayMs: env.SHUTDOWN_DELAY_SECONDS === '0' ? 0 : positive(env, 'SHUTDOWN_DELAY_SECONDS', 2) * 1000,
    signInClientMaxFailures: positive(env, 'SIGN_IN_CLIENT_MAX_FAILURES', 30),
    trustProxyHops: env.TRUST_PROXY ? positive(env, 'TRUST_PROXY', 1) : 0,
    maxBodyBytes: positive(env, 'MAX_BODY_BYTES', 1_048_576),
    maxUploadBytes: positive(env, 'MAX_UPLOAD_BYTES', 33_554_432),
    credentialsKey: env.CREDENTIALS_KEY || undefined,
    webhookAllowPrivate: flag(env, 'WEBHOOK_ALLOW_PRIVATE') ?? false,
    rateLimit:
      flag(env, 'RATE_LIMIT') === false
        ? null
        : {
            // Never below one request's cost limit (server.ts LIMITS.maxNodes): a full bucket always lets one through.
            maximum: Math.max(50_000, positive(env, 'RATE_LIMIT_POINTS', 250_000)),
            restorePerSecond: positive(env, 'RATE_LIMIT_RESTORE_PER_SECOND', 25_000),
          },
    bootstrap,
  };
}
