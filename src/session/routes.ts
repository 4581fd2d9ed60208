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
import type { VerifiedRefreshToken } from '../descope/types'
import { AppError, unauthorized } from '../errors'
import { requireAllowedOrigin } from '../request/origin'
import { clearSessionCookies } from './cookies'
import { checkRefreshToken, refreshSession, refreshTokenOf, requireSession } from './middleware'
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
 * happens. A token this edge would never accept (forged, foreign, expired) has nothing to revoke
 * and is not sent (200); one Descope refuses (already revoked) is a sign-out too. When the token
 * cannot be checked (no signing keys: 503) or Descope cannot be reached (502/504/429), the answer
 * is that error, cookies still cleared, so the page can say the server-side sign-out did not happen.
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
 * not sent. Without keys it cannot be checked, so nothing is sent: 503 (cookies still cleared).
 */
async function takeRefreshCookie(c: Context<AppEnv>): Promise<{ token?: VerifiedRefreshToken; presented: boolean }> {
  const config = c.var.config
  const refreshJwt = refreshCookieOf(c.req.raw.headers, config.refreshCookieName)
  clearSessionCookies(c, config)
  if (!refreshJwt) return { presented: false }
  forgetRefresh(refreshJwt)
  try {
    return { token: await checkRefreshToken(c, refreshJwt), presented: true }
  } catch (error) {
    if (error instanceof AppError && error.status === 401) return { presented: true }
    throw error
  }
}

/** Descope's user record (`/v1/auth/me`), for the signed-in user of this browser. */
sessionRoutes.get('/me', requireSession(), async (c) => {
  // The refresh token must belong to the session's user, or /me would describe someone else.
  const refreshJwt = await refreshTokenOf(c, c.var.session.userId)
  return c.json(await upstream(c, 'session', () => c.var.descope.me(refreshJwt)))
})
