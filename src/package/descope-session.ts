/**
 * @module
 * `descopeSession()` and `requireSession()` for any Hono app, on any runtime (the package's
 * `passkey-edge/session`). No other setup: options are values or functions of the app's env,
 * errors are answered here with this Worker's envelope, and nothing needs workerd — without the
 * Cache API or `ctx.waitUntil` (Node, Bun, Deno) the keys are cached by the isolate alone.
 *
 * The check is authenticate.ts, the same code this Worker's routes and RPC entrypoint run, with
 * the isolate's key store for the project.
 */
import type { Context, MiddlewareHandler } from 'hono'
import { ConfigError, DEFAULTS, parseBaseUrl, parseCookieNames, parseOrigins, parseProjectId } from '../config.ts'
import { AppError, toErrorAnswer, unauthorized } from '../errors.ts'
import { getExecutionContext } from '../lib/execution-context.ts'
import { Telemetry } from '../telemetry/telemetry.ts'
import { authenticateRequest, type Authenticated } from '../session/authenticate.ts'
import { appendCookies } from '../session/cookies.ts'
import { assertRouteRequirements, routeRequirementError, type RouteRequirements } from '../session/policy.ts'
import { getSessionSetup, type SessionSettings } from '../session/setup.ts'
import type { Session } from '../session/types.ts'
import type { DescopeSessionOptions, EnvValue } from './options.ts'

/** The variables `descopeSession()` sets: `new Hono<{ Variables: SessionVariables }>()`. */
export interface SessionVariables {
  session: Session
}

/**
 * Verifies the request's Descope session (`Authorization: Bearer` first, else the session
 * cookie) and sets `c.var.session`. Answers 401 with `WWW-Authenticate: Bearer …` without a valid
 * session, 503 with `Retry-After` when no signing keys can be had, and 500
 * `configuration_error` naming the option when an option is bad.
 * @example
 * app.use('/api/*', descopeSession({ projectId: (env) => env.DESCOPE_PROJECT_ID }))
 */
// biome-ignore lint/suspicious/noExplicitAny: an app without typed bindings gets untyped `(env) => env.X` options, as Hono's own default
export function descopeSession<Bindings extends object = any>(
  options: DescopeSessionOptions<Bindings>
): MiddlewareHandler<{ Bindings: Bindings; Variables: SessionVariables }> {
  return async function verifyDescopeSession(c, next) {
    const telemetry = createTelemetry(c)
    let settings: PackageSettings
    let refresh: boolean
    let checkOrigin: boolean
    try {
      settings = readPackageSettings(options, c.env)
      refresh = optionValue(options.refresh, c.env) !== false
      checkOrigin = optionValue(options.checkOrigin, c.env) !== false
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error
      telemetry.log('error', 'configuration_error', { variable: error.variable, reason: error.message })
      return answer(c, telemetry, new AppError('configuration_error', { message: `The session check is misconfigured: ${error.message}.` }))
    }
    let authenticated: Authenticated
    try {
      const request = { headers: c.req.raw.headers, method: c.req.method, url: c.req.url, telemetry }
      authenticated = await authenticateRequest(request, getSessionSetup(settings), { refresh, origins: checkOrigin ? settings.allowedOrigins : 'any' })
    } catch (error) {
      if (error instanceof AppError) return answer(c, telemetry, error)
      throw error
    }
    c.set('session', authenticated.session)
    await next()
    // After the route: headers set before it are lost when it answers with a Response of its own
    // (a proxied fetch, `new Response`, its onError's), and a rotated refresh token that misses
    // the browser signs the user out at the next refresh.
    if (authenticated.setCookie.length > 0) {
      appendCookies(c, authenticated.setCookie)
      // An answer that sets a session cookie must not be stored by a shared cache.
      c.header('Cache-Control', 'no-store')
    }
  }
}

/** `requireAccess()`'s options: roles, permissions, step-up, and a tenant or a function of the request naming one. */
// biome-ignore lint/suspicious/noExplicitAny: an app without typed bindings gets untyped `(env) => env.X` options, as Hono's own default
export type AccessOptions<Bindings extends object = any> = RouteRequirements<Context<{ Bindings: Bindings; Variables: SessionVariables }>>

/** @deprecated Renamed `AccessOptions` (the options of `requireAccess()`). */
// biome-ignore lint/suspicious/noExplicitAny: as AccessOptions
export type RequirementOptions<Bindings extends object = any> = AccessOptions<Bindings>

/**
 * Requires roles, permissions, a tenant or step-up of the session `descopeSession()` verified
 * (it does not verify a session itself):
 * 403 (`insufficient_scope`) when a role, permission or tenant is missing, 401 with
 * `error="insufficient_user_authentication"` (RFC 9470) when step-up is, 401 when no session was set.
 * @example
 * app.post('/api/admin', requireAccess({ roles: ['admin'] }), handler)
 */
// biome-ignore lint/suspicious/noExplicitAny: an app without typed bindings gets untyped `(env) => env.X` options, as Hono's own default
export function requireAccess<Bindings extends object = any>(
  requirements: AccessOptions<Bindings> = {}
): MiddlewareHandler<{ Bindings: Bindings; Variables: SessionVariables }> {
  assertRouteRequirements(requirements)
  return async function checkSessionRequirements(c, next) {
    const session = c.get('session') as Session | undefined
    const refused = session ? routeRequirementError(session, requirements, c) : unauthorized(false)
    if (refused) return answer(c, createTelemetry(c), refused)
    await next()
  }
}

/**
 * @deprecated Renamed `requireAccess()`: it checks requirements of the session `descopeSession()`
 * verified, and does not verify one (unlike this Worker's own `requireSession()`).
 */
export const requireSession = requireAccess

/** The package's settings: the session check's, and the origins its CSRF rule allows. */
type PackageSettings = SessionSettings & { allowedOrigins: ReadonlySet<string> }

/** The options as checked settings; the same rules and defaults as the Worker's vars. */
export function readPackageSettings<Bindings>(options: DescopeSessionOptions<Bindings>, env: Bindings): PackageSettings {
  const text = (name: 'projectId' | 'baseUrl' | 'audience' | 'sessionCookie' | 'refreshCookie') => {
    const value = optionValue(options[name], env)
    if (value !== undefined && typeof value !== 'string') throw new ConfigError(name, 'must be a string')
    return value
  }
  const projectId = parseProjectId('projectId', text('projectId'))
  return {
    projectId,
    baseUrl: parseBaseUrl('baseUrl', text('baseUrl'), projectId),
    audience: text('audience')?.trim() || undefined,
    clockToleranceSeconds: DEFAULTS.clockToleranceSeconds,
    ...parseCookieNames(['sessionCookie', text('sessionCookie')], ['refreshCookie', text('refreshCookie')]),
    upstreamTimeoutMs: DEFAULTS.upstreamTimeoutMs,
    allowedOrigins: parseAllowedOrigins(optionValue(options.allowedOrigins, env)),
  }
}

function parseAllowedOrigins(value: unknown): ReadonlySet<string> {
  if (value !== undefined && typeof value !== 'string' && !(Array.isArray(value) && value.every((entry) => typeof entry === 'string'))) {
    throw new ConfigError('allowedOrigins', 'must be a string or an array of strings')
  }
  return parseOrigins('allowedOrigins', Array.isArray(value) ? value.join(',') : value, false)
}

/** An option's value: itself, or what its function answers for this env. */
export function optionValue<T, Bindings>(option: EnvValue<T, Bindings> | undefined, env: Bindings): T | undefined {
  return typeof option === 'function' ? (option as (env: Bindings) => T)(env) : option
}

/** An error as this Worker answers it: the envelope with the request ID, its headers, never stored. */
function answer(c: Context, telemetry: Telemetry, error: AppError): Response {
  const { status, headers, body } = toErrorAnswer(error, telemetry.requestId)
  return c.json(body, status, { ...headers, 'Cache-Control': 'no-store' })
}

/**
 * Log lines as this Worker writes them (JSON with a request ID: the `cf-ray` on Cloudflare);
 * no data points in someone else's app. The request's `waitUntil` keeps a key fetch alive where
 * there is one (Workers); elsewhere Hono throws and there is none.
 */
function createTelemetry(c: Context): Telemetry {
  return new Telemetry(undefined, getExecutionContext(c), c.req.raw.headers)
}
