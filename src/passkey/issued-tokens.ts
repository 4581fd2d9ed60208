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
import { waitUntilOf } from '../lib/wait-until'
import { verifierFor } from '../session/for-config'

/**
 * Throws 502 `upstream_error` unless the tokens verify and belong to one user (and to
 * `expectedUserId` when given, e.g. the session user of a step-up); 503 when no signing keys
 * can be had.
 */
export async function checkIssuedTokens(c: Context<AppEnv>, tokens: JwtResponse, expectedUserId?: string): Promise<void> {
  const verifier = verifierFor(c.var.config, c.var.descope)
  const waitUntil = waitUntilOf(c)
  const session = await verifier.verify(tokens.sessionJwt, { waitUntil })
  if (!session.ok) throw refused(session.status, `session_${session.reason}`)
  const userId = session.session.userId
  if (tokens.refreshJwt !== undefined) {
    const refresh = await verifier.verify(tokens.refreshJwt, { kind: 'refresh', waitUntil })
    if (!refresh.ok) throw refused(refresh.status, `refresh_${refresh.reason}`)
    if (refresh.session.userId !== userId) throw refused(401, 'refresh_other_user')
  }
  if (expectedUserId !== undefined && userId !== expectedUserId) throw refused(401, 'other_user')
  if (tokens.user !== undefined && tokens.user.userId !== userId) throw refused(401, 'user_mismatch')
}

function refused(status: 401 | 503, reason: string): AppError {
  console.error(JSON.stringify({ event: 'issued_tokens_refused', reason }))
  return status === 503 ? keysUnavailable() : new AppError('upstream_error')
}
