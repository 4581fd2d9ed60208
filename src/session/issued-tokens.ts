/**
 * @module
 * Tokens Descope issues are checked before they become cookies (docs/threat-model.md, T38, T53),
 * by this one function on every path that sets them — a passkey finish and a refresh, in this
 * Worker, the package and the RPC check alike: the session token must verify as a session
 * (`drn: "DS"`, RS256, issuer, audience) and the refresh token, when there is one, as a refresh
 * token (`drn: "DSR"`), both of one user — the user expected when the caller knows it. Whatever
 * sits between the Worker and Descope can then not plant a session of its choosing.
 */
import type { JwtResponse, VerifiedRefreshToken } from '../descope/types.ts'
import { AppError, keysUnavailable } from '../errors.ts'
import type { Telemetry } from '../telemetry/telemetry.ts'
import type { Session } from './types.ts'
import type { JwtVerifier } from './jwt.ts'

export interface IssuedTokens {
  session: Session
  /** The new refresh token, when Descope sent one (a finish, or a refresh with rotation). */
  refreshJwt?: VerifiedRefreshToken
  /** Its verified `exp` (epoch seconds). */
  refreshExpiresAt?: number
}

/**
 * Longest session token that still fits a cookie: browsers drop a cookie whose name and value
 * pass 4,096 bytes, and the edge would then refresh on every request (docs/session.md, "Large
 * sessions").
 */
export const MAX_COOKIE_TOKEN_LENGTH = 3_800

/**
 * Throws 502 `upstream_error` unless the tokens verify and belong to one user (and to
 * `expectedUserId` when given: the step-up user, the refreshed user); 503 when no signing keys
 * can be had. `step` names the Descope call in the metrics.
 */
export async function checkIssuedTokens(
  verifier: JwtVerifier,
  telemetry: Telemetry,
  tokens: JwtResponse,
  { expectedUserId, step }: { expectedUserId?: string; step: 'finish' | 'session' }
): Promise<IssuedTokens> {
  const refused = (status: 401 | 503, reason: string) => refusal(telemetry, step, status, reason)
  const session = await verifier.verifyJwt(tokens.sessionJwt, { scope: telemetry })
  if (!session.ok) throw refused(session.status, `session_${session.reason}`)
  const userId = session.session.userId
  let refreshExpiresAt: number | undefined
  if (tokens.refreshJwt !== undefined) {
    const refresh = await verifier.verifyJwt(tokens.refreshJwt, { kind: 'refresh', scope: telemetry })
    if (!refresh.ok) throw refused(refresh.status, `refresh_${refresh.reason}`)
    if (refresh.session.userId !== userId) throw refused(401, 'refresh_other_user')
    refreshExpiresAt = refresh.session.expiresAt
  }
  if (expectedUserId !== undefined && userId !== expectedUserId) throw refused(401, 'other_user')
  if (tokens.user !== undefined && tokens.user.userId !== userId) throw refused(401, 'user_mismatch')
  if (tokens.sessionJwt.length > MAX_COOKIE_TOKEN_LENGTH) {
    // Still set (a Bearer client can use the token), but said loudly: as a cookie it will be lost.
    telemetry.log('warn', 'large_session_token', { step, length: tokens.sessionJwt.length })
    telemetry.count('large_session', [step], tokens.sessionJwt.length)
  }
  if (refreshExpiresAt === undefined) return { session: session.session }
  return { session: session.session, refreshJwt: tokens.refreshJwt as VerifiedRefreshToken, refreshExpiresAt }
}

function refusal(telemetry: Telemetry, step: 'finish' | 'session', status: 401 | 503, reason: string): AppError {
  telemetry.log('error', 'issued_tokens_refused', { reason })
  if (status === 503) return keysUnavailable()
  // Descope answered tokens the edge cannot accept: counted as an upstream failure of that call.
  telemetry.count('upstream_error', [step, 'protocol'])
  return new AppError('upstream_error')
}
