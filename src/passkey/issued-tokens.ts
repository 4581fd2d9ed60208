/**
 * @module
 * Tokens Descope returns from a finish are checked before they become cookies (docs/threat-model.md, T38): the
 * session token must verify as a session (`drn: "DS"`, RS256, issuer, audience) and the refresh
 * token as a refresh token, both for the same user. Whatever sits between the Worker and Descope
 * can then not plant a session of its choosing.
 */
import type { Context } from 'hono'
import type { AppEnv } from '../context'
import type { JwtResponse } from '../descope/types'
import { AppError, keysUnavailable } from '../errors'
import { verifierFor } from '../session/for-config'
import type { Telemetry } from '../telemetry/telemetry'
import { telemetryOf } from '../telemetry/for-request'

/**
 * Throws 502 `upstream_error` unless the tokens verify and belong to one user (and to
 * `expectedUserId` when given, e.g. the session user of a step-up); 503 when no signing keys
 * can be had.
 */
export async function checkIssuedTokens(c: Context<AppEnv>, tokens: JwtResponse, expectedUserId?: string): Promise<void> {
  const verifier = verifierFor(c.var.config, c.var.descope)
  const telemetry = telemetryOf(c)
  const session = await verifier.verify(tokens.sessionJwt, { scope: telemetry })
  if (!session.ok) throw refused(telemetry, session.status, `session_${session.reason}`)
  const userId = session.session.userId
  if (tokens.refreshJwt !== undefined) {
    const refresh = await verifier.verify(tokens.refreshJwt, { kind: 'refresh', scope: telemetry })
    if (!refresh.ok) throw refused(telemetry, refresh.status, `refresh_${refresh.reason}`)
    if (refresh.session.userId !== userId) throw refused(telemetry, 401, 'refresh_other_user')
  }
  if (expectedUserId !== undefined && userId !== expectedUserId) throw refused(telemetry, 401, 'other_user')
  if (tokens.user !== undefined && tokens.user.userId !== userId) throw refused(telemetry, 401, 'user_mismatch')
}

function refused(telemetry: Telemetry, status: 401 | 503, reason: string): AppError {
  telemetry.log('error', 'issued_tokens_refused', { reason })
  if (status === 503) return keysUnavailable()
  // Descope answered tokens the edge cannot accept: counted as an upstream failure of the finish.
  telemetry.count('upstream_error', ['finish', 'protocol'])
  return new AppError('upstream_error')
}
