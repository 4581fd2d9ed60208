/**
 * @module
 * `requireSession()`: the middleware that protects a route of this Worker. The check itself is
 * authenticate.ts (the same code the package's `descopeSession()` and the RPC entrypoint run);
 * this file binds it to the Worker's configuration, puts a refresh's cookies on the answer, and
 * checks roles, permissions, tenant and step-up.
 */
import type { Context } from 'hono'
import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../context.ts'
import type { JwtResponse, VerifiedRefreshToken } from '../descope/types.ts'
import { unauthorized } from '../errors.ts'
import { limitClientIp, getLimitScope } from '../request/rate-limit.ts'
import { getTelemetry } from '../request-context.ts'
import { authenticateRequest, refreshAtDescope, verifyRefreshToken, type Authenticated } from './authenticate.ts'
import { appendCookies } from './cookies.ts'
import { getWorkerSetup } from './worker-setup.ts'
import { assertRouteRequirements, routeRequirementError, type RouteRequirements } from './policy.ts'
import { readRefreshCookie } from './token.ts'
import type { CheckOptions, Session } from './types.ts'

/** The Worker's `requireSession()` options: the route's requirements, and how its session is checked. */
export interface RequireSessionOptions extends RouteRequirements<Context<AppEnv>>, CheckOptions {}

/**
 * Requires a valid Descope session; sets `c.var.session`.
 * Answers 401 (`WWW-Authenticate: Bearer …`) without a valid session, 401 with
 * `error="insufficient_user_authentication"` when `stepup` is required and missing, 403 when a
 * role, permission or tenant is missing, 503 when no signing keys can be had.
 * @example
 * app.get('/api/reports', requireSession({ roles: ['admin'] }), (c) => c.json({ user: c.var.session.userId }))
 */
export const requireSession = (options: RequireSessionOptions = {}) => {
  assertRouteRequirements(options)
  return createMiddleware<AppEnv>(async function requireSession(c, next) {
    const session = await authenticate(c, { refresh: options.refresh ?? true, checkOrigin: options.checkOrigin ?? true })
    const refused = routeRequirementError(session, options, c)
    if (refused) throw refused
    await next()
  })
}

/**
 * The refresh token valid for this request, verified at the edge and `userId`'s (the session's
 * user): the one an edge refresh in this request left, else the one refresh cookie.
 * @throws 401 without one, or when it does not verify or is another user's; 503 without keys.
 */
export async function getRefreshToken(c: Context<AppEnv>, userId: string): Promise<VerifiedRefreshToken> {
  if (c.var.refreshedToken) return c.var.refreshedToken
  const cookie = readRefreshCookie(c.req.raw.headers, c.var.config.refreshCookieName)
  if (!cookie) throw unauthorized(true)
  return checkRefreshToken(c, cookie, userId)
}

/** `verifyRefreshToken` (authenticate.ts) with this request's telemetry and the Worker's setup. */
export async function checkRefreshToken(c: Context<AppEnv>, token: string, userId?: string): Promise<VerifiedRefreshToken> {
  return (await verifyRefreshToken(toSessionRequest(c), getSetup(c), token, userId)).token
}

/**
 * Verifies the request's session (Bearer first, else cookie, refreshing in cookie mode, with the
 * CSRF rule for cookies) and sets `c.var.session`; for routes where only some bodies need a
 * session, call it in the handler.
 */
export async function authenticate(
  c: Context<AppEnv>,
  { refresh = true, checkOrigin = true }: { refresh?: boolean; checkOrigin?: boolean } = {}
): Promise<Session> {
  const origins = checkOrigin ? c.var.config.allowedOrigins : 'any'
  const beforeRefresh = () => limitClientIp(getLimitScope(c), c.req.raw.headers)
  const authenticated = await authenticateRequest(toSessionRequest(c), getSetup(c), { refresh, origins, beforeRefresh })
  adopt(c, authenticated)
  return authenticated.session
}

/** Refreshes with this refresh token (`POST /auth/refresh`), sets the new cookies and `c.var.session`. */
export async function refreshSession(c: Context<AppEnv>, refreshJwt: string): Promise<{ session: Session; tokens: JwtResponse }> {
  const authenticated = await refreshAtDescope(toSessionRequest(c), getSetup(c), refreshJwt)
  adopt(c, authenticated)
  return { session: authenticated.session, tokens: authenticated.refreshed }
}

function adopt(c: Context<AppEnv>, { session, refreshToken, setCookie }: Authenticated): void {
  appendCookies(c, setCookie)
  if (refreshToken) c.set('refreshedToken', refreshToken)
  c.set('session', session)
}

function toSessionRequest(c: Context<AppEnv>) {
  return { headers: c.req.raw.headers, method: c.req.method, url: c.req.url, telemetry: getTelemetry(c) }
}

function getSetup(c: Context<AppEnv>) {
  return getWorkerSetup(c.var.config)
}
