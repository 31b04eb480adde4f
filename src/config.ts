import { resolve } from 'node:path';

export interface Config {
  port: number;
  host: string;
  /** postgres://… or a PGlite data folder (default ./data/pglite), or memory:// */
  databaseUrl: string;
  dataDir: string;
  seedDemo: boolean;
  development: boolean;
  tokenTtlMs: number;
  purgeIntervalMs: number;
  maxBodyBytes: number;
  /** Largest multipart request (CSV uploads); other requests keep maxBodyBytes. */
  maxUploadBytes: number;
  /** CREDENTIALS_KEY: 32 bytes, base64 or hex; without it the embedded database keeps a generated key in dataDir. */
  credentialsKey?: string;
  bootstrap?: { partnerName: string; adminEmail: string; adminPassword: string };
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
  return {
    port: Number(env.PORT ?? 4000),
    host: env.HOST ?? '127.0.0.1',
    databaseUrl,
    dataDir,
    seedDemo: !env.SEED_DEMO ? embedded : env.SEED_DEMO === '1' || env.SEED_DEMO === 'true',
    development: env.NODE_ENV === 'development',
    tokenTtlMs: Number(env.TOKEN_TTL_MINUTES ?? 480) * 60_000,
    purgeIntervalMs: Number(env.PURGE_INTERVAL_MINUTES ?? 60) * 60_000,
    maxBodyBytes: Number(env.MAX_BODY_BYTES ?? 1_048_576),
    maxUploadBytes: Number(env.MAX_UPLOAD_BYTES ?? 33_554_432),
    credentialsKey: env.CREDENTIALS_KEY || undefined,
    bootstrap,
  };
}
