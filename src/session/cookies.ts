/**
 * @module
 * Session cookies as Descope names them (`DS`, `DSR`, configurable): `HttpOnly; Secure;
 * SameSite=Strict; Path=/`, no `Domain` (so a sibling subdomain can neither read nor set them),
 * lifetimes from Descope's response.
 */
import type { Context } from 'hono'
import { setCookie } from 'hono/cookie'
import type { Config } from '../config'
import type { JwtResponse } from '../descope/types'
import { STRICT_COOKIE } from '../lib/cookie'

/** Session cookie lifetime when Descope's answer gives no `sessionExpiration` (seconds). */
const SESSION_MAX_AGE_FALLBACK_SECONDS = 600
/** Refresh cookie lifetime when Descope's answer gives neither `cookieMaxAge` nor `cookieExpiration`: Descope's default of 4 weeks (seconds). */
const REFRESH_MAX_AGE_FALLBACK_SECONDS = 2_419_200

/** Sets the session cookie, and the refresh cookie when Descope sent a refresh token. */
export function setSessionCookies(c: Context, config: Config, tokens: JwtResponse, nowSeconds = Math.floor(Date.now() / 1000)): void {
  const sessionMaxAge = secondsUntil(tokens.sessionExpiration, nowSeconds) ?? SESSION_MAX_AGE_FALLBACK_SECONDS
  setCookie(c, config.sessionCookieName, tokens.sessionJwt, { ...STRICT_COOKIE, maxAge: sessionMaxAge })
  if (tokens.refreshJwt) {
    const refreshMaxAge = tokens.cookieMaxAge ?? secondsUntil(tokens.cookieExpiration, nowSeconds) ?? REFRESH_MAX_AGE_FALLBACK_SECONDS
    setCookie(c, config.refreshCookieName, tokens.refreshJwt, { ...STRICT_COOKIE, maxAge: Math.max(0, Math.floor(refreshMaxAge)) })
  }
}

/** Expires both cookies in the browser. */
export function clearSessionCookies(c: Context, config: Config): void {
  setCookie(c, config.sessionCookieName, '', { ...STRICT_COOKIE, maxAge: 0 })
  setCookie(c, config.refreshCookieName, '', { ...STRICT_COOKIE, maxAge: 0 })
}

function secondsUntil(epochSeconds: number | undefined, nowSeconds: number): number | undefined {
  if (typeof epochSeconds !== 'number' || !Number.isFinite(epochSeconds)) return undefined
  return Math.max(0, Math.floor(epochSeconds - nowSeconds))
}
