/**
 * @module
 * Where the session token comes from (docs/threat-model.md, T30): `Authorization: Bearer` first — scheme
 * case-insensitive, one header, and when present it is authoritative (no fallback to the
 * cookie) — else the session cookie, refused when the browser sent it twice (cookie tossing
 * from a sibling subdomain, possible with plain names). Cookie names are matched exactly
 * (src/lib/cookie.ts): a look-alike (`DS` beside `__Host-DS`, another case, a Unicode space: T56) is another cookie and
 * is never read. Tokens in the query or body are never read.
 */
import { readCookie } from '../lib/cookie.ts'

type TokenSource =
  | { from: 'header'; token: string }
  | { from: 'cookie'; token: string }
  /** A header or cookie was sent but cannot hold one token: refuse, do not fall back. */
  | { from: 'header' | 'cookie'; token: undefined }
  | { from: 'none'; token: undefined }

/** `Bearer <token>`; a repeated header arrives joined with ", " and so never matches. */
const BEARER = /^Bearer +([^\s,]+) *$/i

/** Finds the session token of a request. */
export function locateToken(headers: Headers, sessionCookieName: string): TokenSource {
  const authorization = headers.get('Authorization')
  if (authorization !== null) {
    const match = BEARER.exec(authorization)
    return { from: 'header', token: match?.[1] }
  }
  const values = readCookie(headers.get('Cookie'), sessionCookieName)
  if (values.length === 0) return { from: 'none', token: undefined }
  if (values.length > 1 || !values[0]) return { from: 'cookie', token: undefined }
  return { from: 'cookie', token: values[0] }
}

/** The one refresh cookie, or `undefined` when absent, empty or sent twice. */
export function readRefreshCookie(headers: Headers, refreshCookieName: string): string | undefined {
  const values = readCookie(headers.get('Cookie'), refreshCookieName)
  return values.length === 1 && values[0] ? values[0] : undefined
}

/** How many refresh cookies of one name a sign-out looks at: the browser's own and a planted one or two. */
const MAX_REFRESH_COOKIES = 4

/**
 * Every non-empty refresh cookie, for a sign-out only. With plain names a sibling subdomain can
 * plant a second one beside the browser's own (T54); a session check then trusts neither, but a
 * sign-out must still revoke the real one, so it gets them all (the first few) and revokes each
 * that verifies.
 */
export function readRefreshCookies(headers: Headers, refreshCookieName: string): string[] {
  return readCookie(headers.get('Cookie'), refreshCookieName).filter(Boolean).slice(0, MAX_REFRESH_COOKIES)
}

/** Every session cookie as sent (usually zero or one): names the browser whose refresh may be shared (refresh.ts). */
export function readSessionCookies(headers: Headers, sessionCookieName: string): string[] {
  return readCookie(headers.get('Cookie'), sessionCookieName)
}
