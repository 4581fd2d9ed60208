/**
 * @module
 * Turns the Worker's raw vars and bindings into a typed `Config`, once per `env` object.
 * A missing or malformed value throws a `ConfigError` naming the variable; the app answers every
 * request with that error (a clear 500) rather than run half-configured.
 */
import type { Env } from './env.ts'

export interface Config {
  projectId: string
  /** Descope API base, without a trailing slash (`https://api.descope.com`). */
  baseUrl: string
  /** Exact origins (`scheme://host[:port]`) allowed to call the browser API. */
  allowedOrigins: ReadonlySet<string>
  transactions: KVNamespace
  /** `EDGE_SECRET`, a Worker secret: the edge secret when KV refuses to store one (src/edge-secret.ts). */
  edgeSecret: string | undefined
  sessionCookieName: string
  refreshCookieName: string
  /** Required `aud` of session tokens; unset means no audience check. */
  audience: string | undefined
  clockToleranceSeconds: number
  /** Timeout of every call to Descope (milliseconds). */
  upstreamTimeoutMs: number
  /** Lifetime of a pending passkey transaction (seconds). */
  transactionTtlSeconds: number
  /** Account recovery (`RECOVERY`): by an emailed link, or off. */
  recovery: 'email-link' | undefined
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError'
  constructor(
    readonly variable: string,
    reason: string
  ) {
    super(`${variable} ${reason}`)
  }
}

/** Descope project IDs are `P` + 27 (legacy) or 31 alphanumerics. */
const PROJECT_ID = /^P[A-Za-z0-9]{27}(?:[A-Za-z0-9]{4})?$/
const COOKIE_NAME = /^[A-Za-z0-9_-]{1,64}$/
/** Hosts that may be reached over plain http: the local emulator in dev and tests. */
const LOCAL_HOST = /^(?:localhost|127\.0\.0\.1|\[::1\]|[a-z0-9-]+\.localhost)$/

/**
 * Defaults shared with the package's `descopeSession()` and `createVerifier()` options. The
 * cookie names carry the `__Host-` prefix (docs/threat-model.md, T54): browsers refuse such a
 * cookie with a `Domain`, so a sibling subdomain cannot plant one over ours (cookie tossing),
 * and a planted `DS` is another cookie, never read. Plain `DS`/`DSR` (Descope's names) stay
 * configurable; README says what they give up.
 */
export const DEFAULTS = {
  sessionCookieName: '__Host-DS',
  refreshCookieName: '__Host-DSR',
  clockToleranceSeconds: 5,
  upstreamTimeoutMs: 8000,
} as const

const cache = new WeakMap<object, Config>()

/**
 * Reads and checks the configuration. The result is cached per `env` object, so the per-request
 * cost after the first request of an isolate is one WeakMap look-up.
 * @throws {ConfigError} naming the first bad variable.
 */
export function readConfig(env: Env): Config {
  const cached = cache.get(env)
  if (cached) return cached
  const config = parseConfig(env)
  cache.set(env, config)
  return config
}

function parseConfig(env: Env): Config {
  const projectId = parseProjectId('DESCOPE_PROJECT_ID', env.DESCOPE_PROJECT_ID)
  const transactions = env.TRANSACTIONS
  if (!transactions || typeof transactions.get !== 'function') {
    throw new ConfigError('TRANSACTIONS', 'KV namespace binding is missing')
  }
  return {
    projectId,
    baseUrl: parseBaseUrl(env.DESCOPE_BASE_URL?.trim() ? 'DESCOPE_BASE_URL' : 'DESCOPE_BASE_URI', env.DESCOPE_BASE_URL ?? env.DESCOPE_BASE_URI, projectId),
    allowedOrigins: parseOrigins('ALLOWED_ORIGINS', env.ALLOWED_ORIGINS),
    transactions,
    edgeSecret: env.EDGE_SECRET || undefined,
    ...parseCookieNames(['SESSION_COOKIE_NAME', env.SESSION_COOKIE_NAME], ['REFRESH_COOKIE_NAME', env.REFRESH_COOKIE_NAME]),
    audience: env.SESSION_AUDIENCE?.trim() || undefined,
    clockToleranceSeconds: parseInteger('CLOCK_TOLERANCE_SECONDS', env.CLOCK_TOLERANCE_SECONDS, DEFAULTS.clockToleranceSeconds, 0, 5),
    upstreamTimeoutMs: parseInteger('DESCOPE_TIMEOUT_MS', env.DESCOPE_TIMEOUT_MS, DEFAULTS.upstreamTimeoutMs, 100, 30000),
    transactionTtlSeconds: parseInteger('TRANSACTION_TTL_SECONDS', env.TRANSACTION_TTL_SECONDS, 300, 30, 900),
    recovery: parseRecovery(env.RECOVERY),
  }
}

/**
 * The default host follows core-js: `api.<region>.descope.com`, where the region is characters
 * 1–4 of a 32-character project ID and absent for 28-character (legacy) IDs.
 */
export function defaultBaseUrl(projectId: string): string {
  const region = projectId.length >= 32 ? `${projectId.slice(1, 5).toLowerCase()}.` : ''
  return `https://api.${region}descope.com`
}

/** A Descope project ID, trimmed. The session options of the package are checked by these too. */
export function parseProjectId(name: string, raw: string | undefined): string {
  const projectId = (raw ?? '').trim()
  if (!projectId) throw new ConfigError(name, 'is not set')
  if (!PROJECT_ID.test(projectId)) throw new ConfigError(name, 'is not a Descope project ID (P followed by 27 or 31 letters and digits)')
  return projectId
}

/** Descope's API base without a trailing slash: https, or http for a local emulator; the region's default when unset. */
export function parseBaseUrl(name: string, value: string | undefined, projectId: string): string {
  const raw = (value ?? '').trim()
  if (!raw) return defaultBaseUrl(projectId)
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new ConfigError(name, 'is not a URL')
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new ConfigError(name, 'must not carry a query, fragment or credentials')
  }
  // Tokens travel to this host: plain http only for a local emulator.
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOCAL_HOST.test(url.hostname))) {
    throw new ConfigError(name, 'must be https (http is allowed only for localhost)')
  }
  return url.href.replace(/\/+$/, '')
}

/**
 * A comma-separated list of exact origins (`https://example.com`). Required for the Worker; the
 * package's `allowedOrigins` may be empty (then only the request's own origin is allowed).
 */
export function parseOrigins(name: string, raw: string | undefined, required = true): ReadonlySet<string> {
  const entries = (raw ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
  if (entries.length === 0 && required) throw new ConfigError(name, 'is not set')
  for (const entry of entries) {
    let origin: string
    try {
      origin = new URL(entry).origin
    } catch {
      throw new ConfigError(name, `has an entry that is not an origin: "${entry}"`)
    }
    // Exact matching only works against canonical origins: no wildcard, path, or odd casing.
    if (origin === 'null' || origin !== entry || entry.includes('*') || !/^https?:$/.test(new URL(entry).protocol)) {
      throw new ConfigError(name, `entries must be exact origins like https://example.com, not "${entry}"`)
    }
  }
  return new Set(entries)
}

/**
 * The session and refresh cookie names (`[setting name, raw value]` each), the defaults when
 * unset. One name for both would overwrite the session with the refresh token at every sign-in.
 */
export function parseCookieNames(
  [sessionName, sessionRaw]: [string, string | undefined],
  [refreshName, refreshRaw]: [string, string | undefined]
): Pick<Config, 'sessionCookieName' | 'refreshCookieName'> {
  const sessionCookieName = parseCookieName(sessionName, sessionRaw, DEFAULTS.sessionCookieName)
  const refreshCookieName = parseCookieName(refreshName, refreshRaw, DEFAULTS.refreshCookieName)
  if (sessionCookieName === refreshCookieName) throw new ConfigError(refreshName, `must differ from ${sessionName}`)
  return { sessionCookieName, refreshCookieName }
}

function parseCookieName(name: string, raw: string | undefined, fallback: string): string {
  const value = raw?.trim() || fallback
  if (!COOKIE_NAME.test(value)) throw new ConfigError(name, 'must be 1-64 letters, digits, "_" or "-"')
  return value
}

/** Off unless set: recovery makes an account as strong as its email inbox (docs/recovery.md). */
function parseRecovery(raw: string | undefined): Config['recovery'] {
  const value = raw?.trim()
  if (!value) return undefined
  if (value !== 'email-link') throw new ConfigError('RECOVERY', 'must be "email-link" or unset')
  return value
}

function parseInteger(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw.trim() === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `must be a whole number from ${min} to ${max}`)
  }
  return value
}
