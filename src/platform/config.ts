import path from 'node:path';
import { z } from 'zod';

/**
 * Configuration is read from the environment once, validated, and passed down as a typed object.
 * A wrong value stops the process at start with the variable named, never halfway through a request.
 */
const envSchema = z.object({
  DATABASE_URL: z.string().url().optional(),
  TUTELA_DATA_DIR: z.string().min(1).default('./data'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  TUTELA_SESSION_HOURS: z.coerce.number().positive().max(24 * 30).default(12),
  TUTELA_SESSION_CACHE_SECONDS: z.coerce.number().min(0).max(300).default(15),
  TUTELA_TOTP_WINDOW_STEPS: z.coerce.number().int().min(0).max(10).default(1),
  TUTELA_HOTSPOT_SCAN_HOUR: z.union([z.literal('off'), z.coerce.number().int().min(0).max(23)]).default(2),
  TUTELA_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TUTELA_DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(20),
  TUTELA_WORKERS: z.coerce.number().int().min(1).max(64).default(1),
  TUTELA_TRUST_PROXY: z.enum(['true', 'false']).default('false'),
  TUTELA_MASTER_KEY: z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'base64 of exactly 32 bytes (openssl rand -base64 32)').optional(),
  TUTELA_MASTER_KEY_FILE: z.string().min(1).default('./tutela-master.key'),
});

export type StoreConfig =
  | { kind: 'pglite'; dataDir: string }
  | { kind: 'postgres'; url: string; poolSize: number };

export interface Config {
  store: StoreConfig;
  http: { host: string; port: number; trustProxy: boolean; bodyLimitBytes: number };
  /** Server processes sharing the port (PostgreSQL only: the embedded store belongs to one process). */
  workers: number;
  sessionTtlMs: number;
  /** How long a verified session may be reused from memory; 0 asks the store on every request. */
  sessionCacheMs: number;
  /** 30-second steps either side of now in which an authenticator code is accepted (phones with drifting clocks). */
  totpWindowSteps: number;
  /** UTC hour of the daily hotspot scan of every mission; null: not scheduled. */
  hotspotScanHour: number | null;
  logLevel: z.infer<typeof envSchema>['TUTELA_LOG_LEVEL'];
  /** The master key that wraps the data keys: given in the environment, or read from (or created in) a file. */
  masterKey: { base64?: string; file: string };
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable (`DATABASE_URL=`) means unset, as a shell user expects.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.TUTELA_WORKERS > 1 && !e.DATABASE_URL) {
    throw new ConfigError(`invalid configuration:\n  TUTELA_WORKERS: ${e.TUTELA_WORKERS} server processes need PostgreSQL (set DATABASE_URL); the embedded store is a folder only one process may open`);
  }
  return {
    store: e.DATABASE_URL
      ? { kind: 'postgres', url: e.DATABASE_URL, poolSize: e.TUTELA_DB_POOL_SIZE }
      : { kind: 'pglite', dataDir: path.resolve(e.TUTELA_DATA_DIR) },
    http: { host: e.HOST, port: e.PORT, trustProxy: e.TUTELA_TRUST_PROXY === 'true', bodyLimitBytes: 1024 * 1024 },
    workers: e.TUTELA_WORKERS,
    sessionTtlMs: e.TUTELA_SESSION_HOURS * 3600 * 1000,
    sessionCacheMs: e.TUTELA_SESSION_CACHE_SECONDS * 1000,
    totpWindowSteps: e.TUTELA_TOTP_WINDOW_STEPS,
    hotspotScanHour: e.TUTELA_HOTSPOT_SCAN_HOUR === 'off' ? null : e.TUTELA_HOTSPOT_SCAN_HOUR,
    logLevel: e.TUTELA_LOG_LEVEL,
    masterKey: { ...(e.TUTELA_MASTER_KEY && { base64: e.TUTELA_MASTER_KEY }), file: path.resolve(e.TUTELA_MASTER_KEY_FILE) },
  };
}
