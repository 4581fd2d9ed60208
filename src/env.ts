/**
 * @module
 * The Worker's bindings and vars as wrangler passes them in. Those that wrangler.jsonc declares
 * come from the generated `Cloudflare.Env` (worker-configuration.d.ts, `npm run types`); the
 * optional vars that it leaves commented out are listed here. All are optional, since another
 * config may leave any out, and every var is a raw, untrusted string: `readConfig` (config.ts)
 * checks them at run time and turns them into a `Config`.
 */
export interface Env extends Partial<Cloudflare.Env> {
  /** Descope's API base URL; derived from the project ID's region when unset. */
  DESCOPE_BASE_URL?: string
  /** The name Descope's Python SDK reads; used when `DESCOPE_BASE_URL` is unset. */
  DESCOPE_BASE_URI?: string
  SESSION_COOKIE_NAME?: string
  REFRESH_COOKIE_NAME?: string
  SESSION_AUDIENCE?: string
  CLOCK_TOLERANCE_SECONDS?: string
  DESCOPE_TIMEOUT_MS?: string
  TRANSACTION_TTL_SECONDS?: string
  /** `email-link` turns account recovery on (docs/recovery.md). */
  RECOVERY?: string
  /** A Worker secret (`wrangler secret put EDGE_SECRET`): the edge secret's fallback when KV refuses to store one. */
  EDGE_SECRET?: string
}
