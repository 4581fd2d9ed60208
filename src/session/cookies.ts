/**
 * @module
 * Session cookies (`__Host-DS`, `__Host-DSR` by default, configurable; config.ts): `HttpOnly;
 * Secure; SameSite=Strict; Path=/`, no `Domain` — what the `__Host-` prefix requires, so a sibling
 * subdomain can neither read them nor plant its own under their names — with lifetimes from
 * Descope's response.
 *
 * They are built as `Set-Cookie` header values, so the same cookies go on this Worker's answers
 * and, over RPC, to another Worker that puts them on its own (entrypoint.ts).
 */
import type { Context } from 'hono'
import type { JwtResponse } from '../descope/types'
import { strictCookie } from '../lib/cookie'
import type { SessionSettings } from './setup'

type CookieNames = Pick<SessionSettings, 'sessionCookieName' | 'refreshCookieName'>

/** Session cookie lifetime when Descope's answer gives no `sessionExpiration` (seconds). */
const SESSION_MAX_AGE_FALLBACK_SECONDS = 600
/** Refresh cookie lifetime when Descope's answer gives neither `cookieMaxAge` nor `cookieExpiration`: Descope's default of 4 weeks (seconds). */
const REFRESH_MAX_AGE_FALLBACK_SECONDS = 2_419_200

/** The `Set-Cookie` values of the session cookie, and of the refresh cookie when Descope sent a refresh token. */
export function sessionCookieHeaders(names: CookieNames, tokens: JwtResponse, nowSeconds = Math.floor(Date.now() / 1000)): string[] {
  const sessionMaxAge = secondsUntil(tokens.sessionExpiration, nowSeconds) ?? SESSION_MAX_AGE_FALLBACK_SECONDS
  const headers = [strictCookie(names.sessionCookieName, tokens.sessionJwt, sessionMaxAge)]
  if (tokens.refreshJwt) {
    const refreshMaxAge = tokens.cookieMaxAge ?? secondsUntil(tokens.cookieExpiration, nowSeconds) ?? REFRESH_MAX_AGE_FALLBACK_SECONDS
    headers.push(strictCookie(names.refreshCookieName, tokens.refreshJwt, refreshMaxAge))
  }
  return headers
}

/** Sets the session cookie, and the refresh cookie when Descope sent a refresh token. */
export function setSessionCookies(c: Context, names: CookieNames, tokens: JwtResponse, nowSeconds?: number): void {
  appendCookies(c, sessionCookieHeaders(names, tokens, nowSeconds))
}

/** Expires both cookies in the browser. */
export function clearSessionCookies(c: Context, names: CookieNames): void {
  appendCookies(c, [strictCookie(names.sessionCookieName, '', 0), strictCookie(names.refreshCookieName, '', 0)])
}

/** Puts `Set-Cookie` values on the response (one header each). */
export function appendCookies(c: Context, headers: readonly string[]): void {
  for (const header of headers) c.header('Set-Cookie', header, { append: true })
}

function secondsUntil(epochSeconds: number | undefined, nowSeconds: number): number | undefined {
  if (typeof epochSeconds !== 'number' || !Number.isFinite(epochSeconds)) return undefined
  return Math.max(0, Math.floor(epochSeconds - nowSeconds))
}
