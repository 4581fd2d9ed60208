/**
 * @module
 * `requireSession()`: the Hono middleware that protects a route. It verifies the session token
 * (verify.ts) and, in cookie mode, refreshes an expired or missing session at the edge when a
 * valid refresh cookie is present; then it checks roles, permissions, tenant and step-up and sets
 * `c.var.session`.
 */
import type { Context } from 'hono'
import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../context'
import { upstream } from '../descope/http-errors'
import type { JwtResponse } from '../descope/types'
import { AppError, forbidden, keysUnavailable, stepUpRequired, unauthorized } from '../errors'
import { telemetryOf } from '../telemetry/for-request'
import { setSessionCookies } from './cookies'
import { verifierFor } from './for-config'
import { checkRequirements, type SessionRequirements } from './policy'
import { refreshOnce } from './refresh'
import { locateToken, refreshCookieOf } from './token'
import type { Session } from './types'

export interface RequireSessionOptions extends Omit<SessionRequirements, 'tenant'> {
  /** A tenant ID, or a function of the request that names one (e.g. from a path parameter). */
  tenant?: string | ((c: Context<AppEnv>) => string | undefined)
  /** Refresh an expired or missing session cookie with the refresh cookie. Default `true`. */
  refresh?: boolean
}

/**
 * Requires a valid Descope session; sets `c.var.session`.
 * Answers 401 (`WWW-Authenticate: Bearer …`) without a valid session, 401 with
 * `error="insufficient_user_authentication"` when `stepup` is required and missing, 403 when a
 * role, permission or tenant is missing, 503 when no signing keys can be had.
 * @example
 * app.get('/api/reports', requireSession({ roles: ['admin'] }), (c) => c.json({ user: c.var.session.userId }))
 */
export const requireSession = (options: RequireSessionOptions = {}) =>
  createMiddleware<AppEnv>(async function requireSession(c, next) {
    const session = await authenticate(c, { refresh: options.refresh ?? true })
    const tenant = typeof options.tenant === 'function' ? options.tenant(c) : options.tenant
    if (typeof options.tenant === 'function' && tenant === undefined) throw forbidden()
    const verdict = checkRequirements(session, { ...options, tenant })
    if (verdict === 'forbidden') throw forbidden()
    if (verdict === 'stepup') throw stepUpRequired()
    await next()
  })

/** The refresh token valid for this request: a rotated one from an edge refresh, else the cookie. */
export function currentRefreshToken(c: Context<AppEnv>): string | undefined {
  return c.var.refreshed?.refreshJwt ?? refreshCookieOf(c.req.raw.headers, c.var.config.refreshCookieName)
}

/**
 * Verifies the request's session (Bearer first, else cookie, refreshing in cookie mode) and sets
 * `c.var.session`; for routes where only some bodies need a session, call it in the handler.
 */
export async function authenticate(c: Context<AppEnv>, { refresh = true }: { refresh?: boolean } = {}): Promise<Session> {
  const session = await verifyRequest(c, refresh)
  c.set('session', session)
  return session
}

async function verifyRequest(c: Context<AppEnv>, refresh: boolean): Promise<Session> {
  const config = c.get('config')
  const source = locateToken(c.req.raw.headers, config.sessionCookieName)
  if (source.token === undefined && source.from !== 'none') {
    reject(c, source.from, source.from === 'header' ? 'bad_authorization_header' : 'duplicate_cookie')
    throw unauthorized(true)
  }
  if (source.token !== undefined) {
    const result = await verifierFor(config, c.get('descope')).verify(source.token, { scope: telemetryOf(c) })
    if (result.ok) return result.session
    // Bearer requests are never refreshed; a cookie only when it merely expired (then it is no
    // rejection yet: the refresh below decides).
    if (source.from === 'header' || !refresh || result.reason !== 'expired') {
      reject(c, source.from, result.reason)
      throw result.status === 503 ? keysUnavailable() : unauthorized(true)
    }
  }
  const refreshJwt = refresh ? refreshCookieOf(c.req.raw.headers, config.refreshCookieName) : undefined
  if (!refreshJwt) {
    if (source.token !== undefined) reject(c, source.from, 'expired')
    throw unauthorized(source.token !== undefined)
  }
  return (await refreshSession(c, refreshJwt)).session
}

/**
 * Checks the refresh token locally (a forged or foreign one never reaches Descope), refreshes
 * at Descope (one call per token in flight in this isolate), checks the new session token, and
 * sets the new cookies.
 */
export async function refreshSession(c: Context<AppEnv>, refreshJwt: string): Promise<{ session: Session; tokens: JwtResponse }> {
  const { config, descope } = c.var
  const verifier = verifierFor(config, descope)
  const telemetry = telemetryOf(c)
  const checked = await verifier.verify(refreshJwt, { kind: 'refresh', scope: telemetry })
  if (!checked.ok) {
    reject(c, 'refresh_cookie', checked.reason)
    throw checked.status === 503 ? keysUnavailable() : unauthorized(true)
  }
  const tokens = await upstream(c, 'session', () => refreshOnce(descope, refreshJwt))
  // The new session token, and with rotation the new refresh token, must be this user's.
  const fresh = await verifier.verify(tokens.sessionJwt, { scope: telemetry })
  const rotated = tokens.refreshJwt === undefined ? fresh : await verifier.verify(tokens.refreshJwt, { kind: 'refresh', scope: telemetry })
  for (const result of [fresh, rotated]) {
    if (result.ok && result.session.userId === checked.session.userId) continue
    if (!result.ok && result.status === 503) throw keysUnavailable()
    // Descope answered tokens the edge cannot accept: an upstream failure, not the user's.
    telemetry.log('error', 'refreshed_session_refused', { reason: result.ok ? 'other_user' : result.reason })
    telemetry.count('upstream_error', ['session', 'protocol'])
    throw new AppError('upstream_error')
  }
  if (!fresh.ok) throw new AppError('upstream_error') // narrowing only: the loop refused it already
  setSessionCookies(c, config, tokens)
  c.set('refreshed', tokens)
  return { session: fresh.session, tokens }
}

/** A presented token refused (or no keys to check it): one line and one data point. */
function reject(c: Context<AppEnv>, from: string, reason: string): void {
  const telemetry = telemetryOf(c)
  telemetry.log('info', 'session_rejected', { from, reason })
  telemetry.count('session_rejected', [reason, from])
}
