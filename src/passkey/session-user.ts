/**
 * @module
 * The signed-in user a session-bound ceremony (add-device, step-up, MFA) runs for. The login ID
 * comes from Descope's `/v1/auth/me` with the browser's refresh token, never from the body; the
 * refresh token is verified at the edge first and must belong to the session's user.
 */
import type { Context } from 'hono'
import type { AppEnv } from '../context.ts'
import { upstream } from '../request-context.ts'
import type { VerifiedRefreshToken } from '../descope/types.ts'
import { AppError, unauthorized } from '../errors.ts'
import { getRefreshToken } from '../session/middleware.ts'

interface SessionUser {
  userId: string
  loginId: string
  refreshJwt: VerifiedRefreshToken
}

/** The session's user and refresh token; call after `authenticate` (or `requireSession`) has run. */
export async function sessionUser(c: Context<AppEnv>): Promise<SessionUser> {
  const session = c.var.session
  if (!session) throw unauthorized(true)
  // The rotated token when the session check just refreshed, else the refresh cookie.
  const refreshJwt = await getRefreshToken(c, session.userId)
  const user = await upstream(c, 'session', () => c.var.descope.me(refreshJwt))
  // A refresh cookie of another user next to this session: refuse rather than pick one.
  if (user.userId !== session.userId) throw unauthorized(true)
  const loginId = user.loginIds.find((id): id is string => typeof id === 'string' && id.length > 0)
  if (!loginId) throw new AppError('upstream_error')
  return { userId: user.userId, loginId, refreshJwt }
}
