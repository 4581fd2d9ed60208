/**
 * @module
 * Session cookies (`__Host-DS`, `__Host-DSR` by default; config.ts): `HttpOnly; Secure;
 * SameSite=Strict; Path=/`, no `Domain`, so a sibling subdomain can neither read nor plant them;
 * each lives as long as its verified token's `exp`. Built as `Set-Cookie` values, so RPC callers
 * can put the same cookies on their own answers (package/entrypoint.ts).
 */
import type { Context } from 'hono'
import { strictCookie } from '../lib/cookie.ts'
import type { IssuedTokens } from './issued-tokens.ts'
import type { SessionSettings } from './setup.ts'

type CookieNames = Pick<SessionSettings, 'sessionCookieName' | 'refreshCookieName'>

/** The `Set-Cookie` values of the session cookie, and of the refresh cookie when Descope sent a refresh token. */
export function sessionCookieHeaders(names: CookieNames, issued: IssuedTokens, nowSeconds = Math.floor(Date.now() / 1000)): string[] {
  const { session, refreshJwt, refreshExpiresAt } = issued
  const headers = [strictCookie(names.sessionCookieName, session.token, secondsUntil(session.expiresAt, nowSeconds))]
  if (refreshJwt !== undefined && refreshExpiresAt !== undefined) {
    headers.push(strictCookie(names.refreshCookieName, refreshJwt, secondsUntil(refreshExpiresAt, nowSeconds)))
  }
  return headers
}

/** Sets the session cookie, and the refresh cookie when Descope sent a refresh token. */
export function setSessionCookies(c: Context, names: CookieNames, issued: IssuedTokens, nowSeconds?: number): void {
  appendCookies(c, sessionCookieHeaders(names, issued, nowSeconds))
}

/** Expires both cookies in the browser. */
export function clearSessionCookies(c: Context, names: CookieNames): void {
  appendCookies(c, [strictCookie(names.sessionCookieName, '', 0), strictCookie(names.refreshCookieName, '', 0)])
}

/** Puts `Set-Cookie` values on the response (one header each). */
export function appendCookies(c: Context, headers: readonly string[]): void {
  for (const header of headers) c.header('Set-Cookie', header, { append: true })
}

/** Seconds from now until a verified `exp`; at least 1, since a just-verified token is still valid (clock tolerance). */
function secondsUntil(epochSeconds: number, nowSeconds: number): number {
  return Math.max(1, Math.floor(epochSeconds - nowSeconds))
}
