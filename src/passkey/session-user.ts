/**
 * @module
 * The signed-in user a session-bound ceremony (add-device, step-up, MFA) runs for. The login ID
 * comes from Descope's `/v1/auth/me` with the browser's refresh token, never from the body, and
 * the refresh token must belong to the same user as the verified session.
 */
import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { AppEnv } from '../env'
import { AppError } from '../errors'
import { requireSession } from '../session'
import { currentRefreshToken } from '../session/middleware'
import { mapUpstreamError } from './upstream-errors'

export interface SessionUser {
  userId: string
  loginId: string
  refreshJwt: string
}

/** Runs the session middleware in place (for routes where only some bodies need a session). */
export async function ensureSession(c: Context<AppEnv>): Promise<void> {
  let passed = false
  const answer = await requireSession()(c, async () => {
    passed = true
  })
  if (passed) return
  // The middleware answered instead of calling next: keep its answer (401/503 and headers).
  if (answer instanceof Response) throw new HTTPException(answer.status as 401, { res: answer })
  throw new AppError('unauthorized', 401, 'Sign in to continue.')
}

/** The session's user and refresh token; call after the session middleware has run. */
export async function sessionUser(c: Context<AppEnv>): Promise<SessionUser> {
  const session = c.var.session
  // The rotated token when the session middleware just refreshed, else the one refresh cookie.
  const refreshJwt = currentRefreshToken(c)
  if (!session || !refreshJwt) throw new AppError('unauthorized', 401, 'Sign in again to continue.')
  let user
  try {
    user = await c.var.descope.me(refreshJwt)
  } catch (error) {
    throw mapUpstreamError(error, 'session-start')
  }
  // A refresh cookie of another user next to this session: refuse rather than pick one.
  if (user.userId !== session.userId) throw new AppError('unauthorized', 401, 'Sign in again to continue.')
  const loginId = user.loginIds.find((id): id is string => typeof id === 'string' && id.length > 0)
  if (!loginId) throw new AppError('upstream_error', 502, 'The identity provider failed; try again later.')
  return { userId: user.userId, loginId, refreshJwt }
}
