/**
 * @module
 * The session check of a request, in one place for every caller: this Worker's `requireSession()`,
 * the package's `descopeSession()` (any Hono app), and the `SessionVerifier` RPC entrypoint.
 *
 * It takes headers and answers a session, or throws the `AppError` the caller answers with (401,
 * 503, and for a refresh the mapped Descope failure). It sets nothing: a refresh returns the
 * `Set-Cookie` values for the caller to put on its response.
 */
import { upstreamWith } from '../descope/http-errors'
import type { JwtResponse } from '../descope/types'
import { AppError, keysUnavailable, unauthorized } from '../errors'
import type { Telemetry } from '../telemetry/telemetry'
import { sessionCookieHeaders } from './cookies'
import { refreshOnce } from './refresh'
import type { SessionSetup } from './setup'
import { locateToken, refreshCookieOf } from './token'
import type { Session } from './types'

export interface SessionRequest {
  headers: Headers
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
  /** Tokens an edge refresh produced in this request (the rotated refresh token among them). */
  refreshed?: JwtResponse
  /** The cookies of that refresh, as `Set-Cookie` values; empty without one. */
  setCookie: string[]
}

/**
 * Verifies the request's session: `Authorization: Bearer` first, else the session cookie. With
 * `refresh`, a session cookie that is missing or merely expired is refreshed with the refresh
 * cookie (Bearer requests never are).
 * @throws {AppError} 401 without a valid session, 503 when no signing keys can be had, and what a
 * failed refresh maps to (401, 429, 502, 504).
 */
export async function authenticateRequest(request: SessionRequest, setup: SessionSetup, { refresh }: { refresh: boolean }): Promise<Authenticated> {
  const { settings, verifier } = setup
  const { headers, telemetry } = request
  const source = locateToken(headers, settings.sessionCookieName)
  const from = request.source ?? source.from
  if (source.token === undefined && source.from !== 'none') {
    reject(telemetry, from, source.from === 'header' ? 'bad_authorization_header' : 'duplicate_cookie')
    throw unauthorized(true)
  }
  if (source.token !== undefined) {
    const result = await verifier.verify(source.token, { scope: telemetry })
    if (result.ok) return { session: result.session, setCookie: [] }
    // Bearer requests are never refreshed; a cookie only when it merely expired (then it is no
    // rejection yet: the refresh below decides).
    if (source.from === 'header' || !refresh || result.reason !== 'expired') {
      reject(telemetry, from, result.reason)
      throw result.status === 503 ? keysUnavailable() : unauthorized(true)
    }
  }
  const refreshJwt = refresh ? refreshCookieOf(headers, settings.refreshCookieName) : undefined
  if (!refreshJwt) {
    if (source.token !== undefined) reject(telemetry, from, 'expired')
    throw unauthorized(source.token !== undefined)
  }
  return refreshWith(request, setup, refreshJwt)
}

/**
 * Checks the refresh token locally (a forged or foreign one never reaches Descope), refreshes
 * at Descope (one call per token in flight in this isolate), checks the new session token (and a
 * rotated refresh token), and answers the new cookies.
 */
export async function refreshWith(request: SessionRequest, setup: SessionSetup, refreshJwt: string): Promise<Authenticated & { refreshed: JwtResponse }> {
  const { settings, verifier, descope } = setup
  const { telemetry } = request
  const checked = await verifier.verify(refreshJwt, { kind: 'refresh', scope: telemetry })
  if (!checked.ok) {
    reject(telemetry, 'refresh_cookie', checked.reason)
    throw checked.status === 503 ? keysUnavailable() : unauthorized(true)
  }
  const tokens = await upstreamWith(telemetry, 'session', () => refreshOnce(descope, refreshJwt))
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
  return { session: fresh.session, refreshed: tokens, setCookie: sessionCookieHeaders(settings, tokens) }
}

/** A presented token refused (or no keys to check it): one line and one data point. */
function reject(telemetry: Telemetry, from: string, reason: string): void {
  telemetry.log('info', 'session_rejected', { from, reason })
  telemetry.count('session_rejected', [reason, from])
}
