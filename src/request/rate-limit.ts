/**
 * @module
 * Rate limits with the Workers Rate Limiting binding: one bucket per client IP on every route that
 * reaches Descope or KV (T58), one per login ID on the starts; excess is 429 `rate_limited`. The IP
 * is `CF-Connecting-IP` only, IPv6 per /48 (T62); login IDs count by the hash of their folded form.
 * A missing binding is a 500 with `RATE_LIMITS = "required"`, else logged; a throwing one lets the
 * request through. docs/threat-model.md, T58.
 */
import type { Context } from 'hono'
import { createMiddleware } from 'hono/factory'
import { ConfigError } from '../config.ts'
import type { AppEnv } from '../context.ts'
import { AppError } from '../errors.ts'
import { sha256Hex } from '../lib/crypto.ts'
import { loginIdKey } from '../passkey/login-id.ts'
import type { Env } from '../env.ts'
import { getTelemetry } from '../request-context.ts'
import type { Telemetry } from '../telemetry/telemetry.ts'

type Binding = 'RATE_LIMIT_IP' | 'RATE_LIMIT_LOGIN_ID' | 'RATE_LIMIT_RECOVERY'

/** How a binding's refusals are counted (docs/operations.md). */
const BUCKET_NAMES: Record<Binding, 'ip' | 'login_id' | 'recovery'> = { RATE_LIMIT_IP: 'ip', RATE_LIMIT_LOGIN_ID: 'login_id', RATE_LIMIT_RECOVERY: 'recovery' }

/** The longest window a `[[ratelimits]]` binding can have (10 or 60 s): by then any has rolled over. */
const RETRY_AFTER_SECONDS = 60

/** What a count needs: the bindings, the project (keeps two Workers apart), log lines, the route for data points. */
interface LimitScope {
  env: Env
  projectId: string
  telemetry: Telemetry
  route: string
}

/** Middleware: one count against the client IP's bucket. */
export const limitByIp = () =>
  createMiddleware<AppEnv>(async function rateLimitIp(c, next) {
    await limitClientIp(getLimitScope(c), c.req.raw.headers)
    await next()
  })

/** One count against the bucket of the request's client IP (`CF-Connecting-IP`); throws 429 when it is exhausted. */
export async function limitClientIp(scope: LimitScope, headers: Headers): Promise<void> {
  const ip = clientIpKey(headers.get('CF-Connecting-IP') ?? undefined)
  if (ip !== undefined) await limit(scope, 'RATE_LIMIT_IP', `ip:${ip}`)
}

/** One count against a login ID's bucket (case-folded); throws 429 when it is exhausted. */
export async function limitByLoginId(c: Context<AppEnv>, loginId: string): Promise<void> {
  await limit(getLimitScope(c), 'RATE_LIMIT_LOGIN_ID', `login:${await sha256Hex(loginIdKey(loginId))}`)
}

/** The scope of a request of this app. */
export function getLimitScope(c: Context<AppEnv>): LimitScope {
  return { env: c.env, projectId: c.var.config.projectId, telemetry: getTelemetry(c), route: c.req.path }
}

/** Recovery start: one count against the client IP's and one against the login ID's recovery bucket. */
export async function limitRecovery(c: Context<AppEnv>, loginId: string): Promise<void> {
  const scope = getLimitScope(c)
  const ip = clientIpKey(c.req.header('CF-Connecting-IP'))
  if (ip !== undefined) await limit(scope, 'RATE_LIMIT_RECOVERY', `ip:${ip}`)
  await limit(scope, 'RATE_LIMIT_RECOVERY', `login:${await sha256Hex(loginIdKey(loginId))}`)
}

/**
 * The bucket of a `CF-Connecting-IP` value: IPv4 canonical, IPv6 as its /48 (`2001:db8:1::/48`);
 * anything unparseable shares the bucket `invalid`. (Cloudflare sends IPv4 clients as dotted
 * IPv4, so IPv4-mapped IPv6 forms are not unfolded: they all share `0:0:0::/48`.)
 */
export function clientIpKey(header: string | undefined): string | undefined {
  const value = header?.trim()
  if (!value) return undefined
  let host: string
  try {
    // The URL parser is a strict IP parser and prints the canonical form (RFC 5952 for IPv6).
    host = new URL(`http://${value.includes(':') ? `[${value}]` : value}/`).hostname
  } catch {
    return 'invalid'
  }
  if (!host.startsWith('[')) return /^[\d.]+$/.test(host) ? host : 'invalid'
  host = host.slice(1, -1)
  const [head = '', tail] = host.split('::')
  const groups = head ? head.split(':') : []
  const rest = tail ? tail.split(':') : []
  return `${[...groups, ...Array<string>(8 - groups.length - rest.length).fill('0'), ...rest].slice(0, 3).join(':')}::/48`
}

async function limit({ env, projectId, telemetry, route }: LimitScope, binding: Binding, key: string): Promise<void> {
  const limiter = env[binding]
  let event = 'rate_limit_unbound'
  if (limiter) {
    try {
      // The project ID keeps two Workers (or test files) that share a namespace apart.
      if ((await limiter.limit({ key: `${projectId}:${key}` })).success) return
      event = 'rate_limited'
    } catch {
      event = 'rate_limit_error'
    }
  } else if (env.RATE_LIMITS === 'required') throw new ConfigError(binding, 'binding is missing')
  telemetry.log('warn', event, { binding })
  if (event === 'rate_limited') {
    telemetry.count('rate_limited', [BUCKET_NAMES[binding], route])
    throw new AppError('rate_limited', { headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) } })
  }
}
