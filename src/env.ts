/**
 * @module
 * The Worker's bindings and vars as wrangler passes them in.
 * Every var is a raw, untrusted string here: `readConfig` (config.ts) turns them into a `Config`.
 */

export interface Env {
  /** The Descope project ID (`P…`, 28 or 32 characters). */
  DESCOPE_PROJECT_ID?: string
  /** Descope's API base URL; derived from the project ID's region when unset. */
  DESCOPE_BASE_URL?: string
  /** The name Descope's Python SDK reads; used when `DESCOPE_BASE_URL` is unset. */
  DESCOPE_BASE_URI?: string
  /** Comma-separated exact origins allowed to call `/auth/*`. */
  ALLOWED_ORIGINS?: string
  /** Pending passkey transactions between start and finish. */
  TRANSACTIONS?: KVNamespace
  SESSION_COOKIE_NAME?: string
  REFRESH_COOKIE_NAME?: string
  SESSION_AUDIENCE?: string
  CLOCK_TOLERANCE_SECONDS?: string
  DESCOPE_TIMEOUT_MS?: string
  TRANSACTION_TTL_SECONDS?: string
  /** Rate Limiting bindings (`[[ratelimits]]`): per client IP on every start, per login ID on sign-up/sign-in starts. */
  RATE_LIMIT_IP?: RateLimit
  RATE_LIMIT_LOGIN_ID?: RateLimit
  /** `"required"`: a missing rate-limit binding is a configuration error instead of "no limit". */
  RATE_LIMITS?: string
  /** Static assets (the page in `static/`). */
  ASSETS?: Fetcher
}
