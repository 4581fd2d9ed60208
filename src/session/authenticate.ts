/**
 * @module
 * The session check of a request, in one place for every caller: this Worker's `requireSession()`,
 * the package's `descopeSession()` (any Hono app), and the `SessionVerifier` RPC entrypoint.
 *
 * It takes headers and answers a session, or throws the `AppError` the caller answers with (401,
 * 503, and for a refresh the mapped Descope failure). It sets nothing: a refresh returns the
 * `Set-Cookie` values for the caller to put on its response.
 */
import { callUpstream } from '../descope/http-errors.ts'
import type { JwtResponse, VerifiedRefreshToken } from '../descope/types.ts'
import { AppError, keysUnavailable, unauthorized } from '../errors.ts'
import { type CookieRequest, type OriginPolicy, passesOriginRule } from '../request/cross-site.ts'
import type { Telemetry } from '../telemetry/telemetry.ts'
import { sessionCookieHeaders } from './cookies.ts'
import { checkIssuedTokens } from './issued-tokens.ts'
import { refreshOnce } from './refresh.ts'
import { wasRefused } from './refused-tokens.ts'
import type { SessionSetup } from './setup.ts'
import { locateToken, readRefreshCookie, readSessionCookies } from './token.ts'
import type { Session } from './types.ts'

/** A request's headers, and its method and URL for the CSRF rule (src/request/cross-site.ts). */
export interface SessionRequest extends CookieRequest {
  /**
   * The request's ID, log lines and data points; also lends a key fetch its `waitUntil` (workerd),
   * when there is one.
   */
  telemetry: Telemetry
  /** How log lines and data points name where the session token came from; by default `header` or `cookie`. */
  source?: string
}

export interface Authenticated {
  session: Session
  /** Tokens an edge refresh produced in this request. */
  refreshed?: JwtResponse
  /** After an edge refresh, the refresh token that stays valid (the rotated one, else the one presented), verified. */
  refreshToken?: VerifiedRefreshToken
  /** The cookies of that refresh, as `Set-Cookie` values; empty without one. */
  setCookie: string[]
}

/**
 * Verifies the request's session: `Authorization: Bearer` first, else the session cookie. With
 * `refresh`, a session cookie that is missing or merely expired is refreshed with the refresh
 * cookie (Bearer requests never are), after `beforeRefresh` (the caller's rate limit). A request
 * the cookies authenticate must pass the CSRF rule first, with `origins` allowed besides its own.
 * @throws {AppError} 401 without a valid session, 403 for a cross-site request with cookies, 503
 * when no signing keys can be had, and what a failed refresh maps to (401, 429, 502, 504).
 */
export async function authenticateRequest(
  request: SessionRequest,
  setup: SessionSetup,
  { refresh, origins, beforeRefresh }: { refresh: boolean; origins: OriginPolicy; beforeRefresh?: () => Promise<void> }
): Promise<Authenticated> {
  const { settings, verifier } = setup
  const { headers, telemetry } = request
  const source = locateToken(headers, settings.sessionCookieName)
  const from = request.source ?? source.from
  const byCookie = source.from === 'cookie' || (source.from === 'none' && refresh && readRefreshCookie(headers, settings.refreshCookieName) !== undefined)
  if (byCookie && !passesOriginRule(request, origins)) {
    reject(telemetry, from, 'cross_site')
    throw new AppError('origin_not_allowed', { message: 'Cross-origin request refused.' })
  }
  if (source.token === undefined && source.from !== 'none') {
    reject(telemetry, from, source.from === 'header' ? 'bad_authorization_header' : 'duplicate_cookie')
    throw unauthorized(true)
  }
  if (source.token !== undefined) {
    const result = await verifier.verifyJwt(source.token, { scope: telemetry })
    if (result.ok) return { session: result.session, setCookie: [] }
    // Bearer requests are never refreshed; a cookie only when it merely expired (then it is no
    // rejection yet: the refresh below decides).
    if (source.from === 'header' || !refresh || result.reason !== 'expired') {
      reject(telemetry, from, result.reason)
      throw result.status === 503 ? keysUnavailable() : unauthorized(true)
    }
  }
  const refreshJwt = refresh ? readRefreshCookie(headers, settings.refreshCookieName) : undefined
  if (!refreshJwt) {
    if (source.token !== undefined) reject(telemetry, from, 'expired')
    throw unauthorized(source.token !== undefined)
  }
  // A refresh costs a call to Descope: the caller's rate limit counts it (T58).
  await beforeRefresh?.()
  return refreshAtDescope(request, setup, refreshJwt)
}

/**
 * Checks the refresh token locally (a forged or foreign one never reaches Descope), refreshes
 * at Descope (one call per token in flight in this isolate), checks what Descope issued exactly
 * as a finish does (issued-tokens.ts: session token, rotated refresh token, same user), and
 * answers the new cookies.
 */
export async function refreshAtDescope(request: SessionRequest, setup: SessionSetup, refreshJwt: string): Promise<Authenticated & { refreshed: JwtResponse }> {
  const { settings, verifier, descope } = setup
  const { telemetry } = request
  const { token, userId } = await verifyRefreshToken(request, setup, refreshJwt)
  // The browser that asked, by its session cookie (expired, or none): a shared result goes only to it.
  const requester = readSessionCookies(request.headers, settings.sessionCookieName).join(';')
  const tokens = await callUpstream(telemetry, 'session', () => refreshOnce(descope, token, requester))
  const issued = await checkIssuedTokens(verifier, telemetry, tokens, { expectedUserId: userId, step: 'session' })
  return {
    session: issued.session,
    refreshed: tokens,
    refreshToken: issued.refreshJwt ?? token,
    setCookie: sessionCookieHeaders(settings, issued),
  }
}

/**
 * Verifies a refresh token at the edge (signature, issuer, `drn: "DSR"`; with `userId`, that
 * user's; not one Descope just refused): the only way to a `VerifiedRefreshToken`, the only kind
 * the Descope client sends.
 * @throws {AppError} 401 when it does not verify or is another user's, 503 without signing keys.
 */
export async function verifyRefreshToken(
  request: SessionRequest,
  setup: SessionSetup,
  token: string,
  userId?: string
): Promise<{ token: VerifiedRefreshToken; userId: string }> {
  // Descope refused it a moment ago (revoked, logged out): not sent again (T58).
  if (wasRefused(token)) {
    reject(request.telemetry, 'refresh_cookie', 'refused')
    throw unauthorized(true)
  }
  const checked = await setup.verifier.verifyJwt(token, { kind: 'refresh', scope: request.telemetry })
  if (!checked.ok || (userId !== undefined && checked.session.userId !== userId)) {
    reject(request.telemetry, 'refresh_cookie', checked.ok ? 'other_user' : checked.reason)
    throw !checked.ok && checked.status === 503 ? keysUnavailable() : unauthorized(true)
  }
  return { token: token as VerifiedRefreshToken, userId: checked.session.userId }
}

/** A presented token refused (or no keys to check it): one line and one data point. */
function reject(telemetry: Telemetry, from: string, reason: string): void {
  telemetry.log('info', 'session_rejected', { from, reason })
  telemetry.count('session_rejected', [reason, from])
}
