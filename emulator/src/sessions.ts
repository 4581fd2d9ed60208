/**
 * @module
 * Session and refresh JWTs with Descope's claims (docs/descope-contract.md §3.12, §6), the JWT response, and
 * the refresh-token check that refresh, logout, me, update/start and step-up share.
 */
import { randomId } from './encoding'
import { revoked, unauthorized } from './errors'
import type { StoredSession, StoredUser, Store } from './store'
import { signJwt, verifyJwt } from './tokens'
import { userResponse } from './users'

/** Session JWT lifetime (Descope's default, 10 minutes). */
export const SESSION_SECONDS = 600
/** Refresh JWT lifetime (Descope's default, 4 weeks). */
export const REFRESH_SECONDS = 4 * 7 * 24 * 3600

/** Claims the emulator sets itself; `customClaims` cannot override them. */
const RESERVED = new Set(['iss', 'sub', 'aud', 'iat', 'exp', 'nbf', 'jti', 'drn', 'amr', 'su', 'rexp', 'roles', 'permissions', 'tenants', 'dsub'])

export interface SessionContext {
  store: Store
  projectId: string
}

/** A new refresh session for `user` and the JWT response for it (sign-up/sign-in finish). */
export async function openSession(
  context: SessionContext,
  user: StoredUser,
  options: { amr: string[]; su: boolean; customClaims: Record<string, unknown>; firstSeen: boolean }
): Promise<Record<string, unknown>> {
  const { store, projectId } = context
  const now = store.now()
  const session: StoredSession = {
    sid: randomId(27),
    userId: user.userId,
    exp: now + REFRESH_SECONDS,
    revoked: false,
    amr: options.amr,
    su: options.su,
    customClaims: options.customClaims,
  }
  await store.putSession(session)
  const { current } = await store.signingKeys()
  const refreshJwt = await signJwt(
    { alg: 'RS256', kid: current.kid, typ: 'JWT' },
    { amr: session.amr, drn: 'DSR', exp: session.exp, iat: now, iss: projectId, jti: session.sid, sub: user.userId },
    current
  )
  return { ...(await jwtResponse(context, user, session, options.firstSeen)), refreshJwt }
}

/** The JWT response with a new session JWT for an existing refresh session (no `refreshJwt`). */
export async function jwtResponse(
  context: SessionContext,
  user: StoredUser,
  session: StoredSession,
  firstSeen: boolean
): Promise<Record<string, unknown>> {
  const { store, projectId } = context
  const now = store.now()
  const exp = now + SESSION_SECONDS
  const custom = Object.fromEntries(Object.entries(session.customClaims).filter(([key]) => !RESERVED.has(key)))
  const { current } = await store.signingKeys()
  const sessionJwt = await signJwt(
    { alg: 'RS256', kid: current.kid, typ: 'JWT' },
    {
      ...custom,
      amr: session.amr,
      drn: 'DS',
      exp,
      iat: now,
      iss: projectId,
      sub: user.userId,
      rexp: new Date(session.exp * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      roles: user.roleNames,
      permissions: [],
      tenants: {},
      ...(session.su ? { su: true } : {}),
    },
    current
  )
  return {
    sessionJwt,
    cookieDomain: '',
    cookiePath: '/',
    cookieMaxAge: Math.max(session.exp - now, 0),
    cookieExpiration: session.exp,
    cookieName: 'DSR',
    sessionExpiration: exp,
    firstSeen,
    user: userResponse(user),
  }
}

/**
 * The refresh session and user behind a refresh JWT: signed by a listed key, `drn` DSR, issued
 * for this project, unexpired on the emulator's clock, and not logged out. 401 otherwise.
 */
export async function requireRefresh(
  context: SessionContext,
  token: string | undefined
): Promise<{ session: StoredSession; user: StoredUser }> {
  const { store, projectId } = context
  if (!token) throw unauthorized('Refresh token is missing')
  const claims = await verifyJwt(token, (await store.signingKeys()).keys)
  if (!claims) throw unauthorized('Refresh token is invalid')
  if (claims.drn !== 'DSR') throw unauthorized('Token is not a refresh token')
  const issuer = typeof claims.iss === 'string' ? claims.iss : ''
  if (issuer !== projectId && issuer.split('/').at(-1) !== projectId) throw unauthorized('Refresh token is for another project')
  if (typeof claims.exp !== 'number' || claims.exp <= store.now()) throw unauthorized('Refresh token has expired')
  const session = typeof claims.jti === 'string' ? await store.session(claims.jti) : undefined
  if (!session || session.userId !== claims.sub) throw unauthorized('Refresh token is unknown')
  if (session.revoked) throw revoked()
  const user = await store.user(session.userId)
  if (!user) throw unauthorized('Refresh token is unknown')
  return { session, user }
}
