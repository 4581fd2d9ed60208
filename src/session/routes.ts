/**
 * @module
 * `GET /auth/session`, `POST /auth/refresh`, `POST /auth/logout`, `POST /auth/logout-all`, `GET /auth/me`.
 * The POSTs are cookie-authenticated, so they require an allowed `Origin` (CSRF).
 */
import type { Context } from 'hono'
import { Hono } from 'hono/tiny'
import type { AppEnv } from '../context'
import { DescopeError } from '../descope/errors'
import { toHttpError, upstream } from '../descope/http-errors'
import { AppError, keysUnavailable, unauthorized } from '../errors'
import { requireAllowedOrigin } from '../request/origin'
import { telemetryOf } from '../telemetry/for-request'
import { clearSessionCookies } from './cookies'
import { verifierFor } from './for-config'
import { currentRefreshToken, refreshSession, requireSession } from './middleware'
import { forgetRefresh } from './refresh'
import { refreshCookieOf } from './token'

export const sessionRoutes = new Hono<AppEnv>()

/** The validated session token's contents; no call to Descope. */
sessionRoutes.get('/session', requireSession(), (c) => {
  const { userId, expiresAt, roles, permissions, tenants, amr } = c.var.session
  return c.json({ userId, expiresAt, roles, permissions, tenants, amr })
})

/** A new session token from the refresh cookie; a refused refresh also clears the cookies. */
sessionRoutes.post('/refresh', requireAllowedOrigin(), async (c) => {
  const refreshJwt = refreshCookieOf(c.req.raw.headers, c.var.config.refreshCookieName)
  if (!refreshJwt) throw unauthorized(false)
  try {
    const { session, tokens } = await refreshSession(c, refreshJwt)
    return c.json({ sessionExpiration: tokens.sessionExpiration ?? session.expiresAt })
  } catch (error) {
    if (error instanceof AppError && error.status === 401) clearSessionCookies(c, c.var.config)
    throw error
  }
})

/**
 * Revokes the refresh token at Descope and clears both cookies. The cookies are cleared whatever
 * Descope says. A token Descope refuses (already revoked or expired) counts as signed out (200);
 * when Descope cannot be reached the answer is the mapped error (502/504/429), cookies still
 * cleared, so the page can say the server-side sign-out did not happen.
 */
sessionRoutes.post('/logout', requireAllowedOrigin(), async (c) => {
  const { token } = await takeRefreshCookie(c)
  if (token === undefined) return c.json({ ok: true })
  try {
    await c.var.descope.logout(token)
  } catch (error) {
    if (!(error instanceof DescopeError && error.kind === 'rejected')) throw toHttpError(c, error, 'session')
  }
  return c.json({ ok: true })
})

/**
 * Signs the user out on every device: Descope revokes every refresh session of the refresh
 * token's user. The cookies are cleared whatever happens. Unlike logout, a missing or refused
 * token is a 401: nothing was revoked elsewhere, and the page must not say it was.
 */
sessionRoutes.post('/logout-all', requireAllowedOrigin(), async (c) => {
  const { token, presented } = await takeRefreshCookie(c)
  if (token === undefined) throw unauthorized(presented)
  await upstream(c, 'session', () => c.var.descope.logoutAll(token))
  return c.json({ ok: true })
})

/**
 * Clears both cookies and returns the refresh token worth revoking at Descope: none without a
 * cookie, or for a token this edge would never accept (forged, foreign, expired), which is then
 * not forwarded. Without keys we cannot tell, so it is returned.
 */
async function takeRefreshCookie(c: Context<AppEnv>): Promise<{ token?: string; presented: boolean }> {
  const { config, descope } = c.var
  const refreshJwt = refreshCookieOf(c.req.raw.headers, config.refreshCookieName)
  clearSessionCookies(c, config)
  if (!refreshJwt) return { presented: false }
  forgetRefresh(refreshJwt)
  const checked = await verifierFor(config, descope).verify(refreshJwt, { kind: 'refresh', scope: telemetryOf(c) })
  return !checked.ok && checked.status === 401 ? { presented: true } : { token: refreshJwt, presented: true }
}

/** Descope's user record (`/v1/auth/me`), for the signed-in user of this browser. */
sessionRoutes.get('/me', requireSession(), async (c) => {
  const { config, descope, session } = c.var
  const refreshJwt = currentRefreshToken(c)
  if (!refreshJwt) throw unauthorized(true)
  const checked = await verifierFor(config, descope).verify(refreshJwt, { kind: 'refresh', scope: telemetryOf(c) })
  if (!checked.ok) throw checked.status === 503 ? keysUnavailable() : unauthorized(true)
  // The refresh cookie must belong to the session's user, or /me would describe someone else.
  if (checked.session.userId !== session.userId) throw unauthorized(true)
  return c.json(await upstream(c, 'session', () => descope.me(refreshJwt)))
})
