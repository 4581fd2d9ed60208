/**
 * @module
 * `GET /auth/session`, `POST /auth/refresh`, `POST /auth/logout`, `POST /auth/logout-all`, `GET /auth/me`.
 * The POSTs are cookie-authenticated, so they require an allowed `Origin` (CSRF).
 */
import type { Context } from 'hono'
import type { Hono } from 'hono/tiny'
import type { AppEnv } from '../context.ts'
import { DescopeError } from '../descope/errors.ts'
import { toHttpError, upstream } from '../request-context.ts'
import type { VerifiedRefreshToken } from '../descope/types.ts'
import { AppError, unauthorized } from '../errors.ts'
import { requireAllowedOrigin } from '../request/origin.ts'
import { limitByIp } from '../request/rate-limit.ts'
import { clearSessionCookies } from './cookies.ts'
import { checkRefreshToken, refreshSession, getRefreshToken, requireSession } from './middleware.ts'
import { forgetRefresh } from './refresh.ts'
import { rememberingRefusal } from './refused-tokens.ts'
import { readRefreshCookie, readRefreshCookies } from './token.ts'

/** Registers these routes on `routes`, the app at `/auth` (src/app.ts). */
export function sessionRoutes(routes: Hono<AppEnv>): void {
  /** The validated session token's contents; no call to Descope. */
  // Every route here that reaches Descope counts against the client IP's bucket (T58); /session
  // only verifies locally, and its implicit refresh counts in requireSession.
  routes.get('/session', requireSession(), (c) => {
    const { userId, expiresAt, roles, permissions, tenants, amr } = c.var.session
    return c.json({ userId, expiresAt, roles, permissions, tenants, amr })
  })

  /** A new session token from the refresh cookie; a refused refresh also clears the cookies. */
  routes.post('/refresh', requireAllowedOrigin(), limitByIp(), async (c) => {
    const refreshJwt = readRefreshCookie(c.req.raw.headers, c.var.config.refreshCookieName)
    if (!refreshJwt) throw unauthorized(false)
    try {
      const { session } = await refreshSession(c, refreshJwt)
      return c.json({ sessionExpiration: session.expiresAt })
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
   * A refresh cookie sent twice (one planted beside the browser's, T54) revokes each that verifies.
   */
  routes.post('/logout', requireAllowedOrigin(), limitByIp(), async (c) => {
    for (const token of (await takeRefreshCookies(c)).tokens) {
      try {
        await rememberingRefusal(token, () => c.var.descope.logout(token))
      } catch (error) {
        if (!(error instanceof DescopeError && error.kind === 'rejected')) throw toHttpError(c, error, 'session')
      }
    }
    return c.json({ ok: true })
  })

  /**
   * Signs the user out on every device: Descope revokes every refresh session of the refresh
   * token's user. The cookies are cleared whatever happens. Unlike logout, a missing or refused
   * token is a 401: nothing was revoked elsewhere, and the page must not say it was.
   */
  routes.post('/logout-all', requireAllowedOrigin(), limitByIp(), async (c) => {
    const { tokens, presented } = await takeRefreshCookies(c)
    if (tokens.length === 0) throw unauthorized(presented)
    for (const token of tokens) await upstream(c, 'session', () => rememberingRefusal(token, () => c.var.descope.logoutAll(token)))
    return c.json({ ok: true })
  })

  /** Descope's user record (`/v1/auth/me`), for the signed-in user of this browser. */
  routes.get('/me', limitByIp(), requireSession(), async (c) => {
    // The refresh token must belong to the session's user, or /me would describe someone else.
    const refreshJwt = await getRefreshToken(c, c.var.session.userId)
    return c.json(await upstream(c, 'session', () => rememberingRefusal(refreshJwt, () => c.var.descope.me(refreshJwt))))
  })
}

/**
 * Clears both cookies and returns the refresh tokens worth revoking at Descope: none without a
 * cookie, and not one this edge would never accept (forged, foreign, expired), which is not sent.
 * Usually one; every one that verifies when the cookie was sent more than once. Without keys
 * they cannot be checked, so nothing is sent: 503 (cookies still cleared).
 */
async function takeRefreshCookies(c: Context<AppEnv>): Promise<{ tokens: VerifiedRefreshToken[]; presented: boolean }> {
  const config = c.var.config
  const cookies = readRefreshCookies(c.req.raw.headers, config.refreshCookieName)
  clearSessionCookies(c, config)
  const tokens: VerifiedRefreshToken[] = []
  for (const refreshJwt of cookies) {
    forgetRefresh(refreshJwt)
    try {
      tokens.push(await checkRefreshToken(c, refreshJwt))
    } catch (error) {
      if (!(error instanceof AppError && error.status === 401)) throw error
    }
  }
  return { tokens, presented: cookies.length > 0 }
}
