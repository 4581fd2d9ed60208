/**
 * @module
 * Session and refresh JWTs with Descope's claims (docs/descope-contract.md §3.12, §6) shaped by the project's
 * settings (settings.ts: issuer, `dsub`, tenants and `dct`, permissions), the JWT response
 * with the tokens in the body or as `Set-Cookie` (cookies.ts), refresh rotation, and the
 * refresh-token check that refresh, logout, me, update/start and step-up share.
 */
import { randomId } from './encoding'
import { revoked, unauthorized } from './errors'
import type { ProjectSettings } from './settings'
import type { StoredSession, StoredUser, Store } from './store'
import { signJwt, verifyJwt } from './tokens'
import { userResponse } from './users'

/** Session JWT lifetime (Descope's default, 10 minutes). */
export const SESSION_SECONDS = 600
/** Refresh JWT lifetime (Descope's default, 4 weeks). */
export const REFRESH_SECONDS = 4 * 7 * 24 * 3600

export interface SessionContext {
  store: Store
  projectId: string
  /** The API's own base URL as the client called it (the conformance issuer's prefix). */
  apiBase: string
}

/** The tokens of an auth answer and the JSON fields around them (docs/descope-contract.md §3.12). */
export interface JwtAnswer {
  sessionJwt: string
  refreshJwt?: string
  /** Refresh cookie lifetime, for the DSR cookie. */
  cookieMaxAge: number
  /** Session token lifetime, for the DS cookie. */
  sessionMaxAge: number
  sessionExpiration: number
  body: Record<string, unknown>
}

/** The issuer per settings: `issuer`, else `<api base>/<pid>` with `conformance_issuer`, else the project ID. */
export function issuerOf(context: SessionContext): string {
  const settings = context.store.settings()
  if (settings.issuer) return settings.issuer
  return settings.conformance_issuer ? `${context.apiBase}/${context.projectId}` : context.projectId
}

/** `sub` (and `dsub` with `override_subject_claim`: then `sub` is the first login ID). */
function subjectOf(settings: ProjectSettings, user: StoredUser): Record<string, string> {
  if (!settings.override_subject_claim) return { sub: user.userId }
  return { sub: user.loginIds[0] ?? user.userId, dsub: user.userId }
}

/** The user ID a verified token names: `dsub` when present, else `sub`. */
export function userIdOf(claims: Record<string, unknown>): unknown {
  return claims.dsub ?? claims.sub
}

/** roles / permissions / tenants / dct as the project's JWT template puts them. */
function authorizationOf(settings: ProjectSettings, user: StoredUser, tenantId: string | undefined): Record<string, unknown> {
  const tenants = user.tenants ?? []
  const current = tenants.find((tenant) => tenant.tenantId === tenantId)
  const withPermissions = (permissions: string[]) => (settings.exclude_permission_claim ? {} : { permissions })
  if (settings.auth_schema === 'tenantOnly') {
    // Tenant-only: the current tenant's grants at the top level, named by dct; no tenants map.
    return { roles: current?.roles ?? [], ...withPermissions(current?.permissions ?? []), ...(current ? { dct: current.tenantId } : {}) }
  }
  return {
    roles: user.roleNames,
    ...withPermissions(user.permissions ?? []),
    tenants: Object.fromEntries(tenants.map((tenant) => [tenant.tenantId, { roles: tenant.roles, ...withPermissions(tenant.permissions) }])),
    // "When a user is associated with a single tenant, the tenant will be set as the user's active tenant".
    ...(settings.auto_tenant_claim && current && tenants.length === 1 ? { dct: current.tenantId } : {}),
  }
}

/** The current tenant of a new session: the asked one when the user is in it, else the user's first. */
export function currentTenant(user: StoredUser, asked: unknown): string | undefined {
  const tenants = user.tenants ?? []
  return tenants.find((tenant) => tenant.tenantId === asked)?.tenantId ?? tenants[0]?.tenantId
}

/** A new refresh session for `user` and the JWT answer for it (sign-up/sign-in finish). */
export async function openSession(
  context: SessionContext,
  user: StoredUser,
  options: { amr: string[]; su: boolean; customClaims: Record<string, unknown>; firstSeen: boolean; tenantId?: string }
): Promise<JwtAnswer> {
  const now = context.store.now()
  const session: StoredSession = {
    sid: randomId(27),
    userId: user.userId,
    exp: now + REFRESH_SECONDS,
    revoked: false,
    amr: options.amr,
    su: options.su,
    ...(options.su ? { stepUpAt: now } : {}),
    customClaims: options.customClaims,
    tenantId: currentTenant(user, options.tenantId),
  }
  await context.store.putSession(session)
  // One `now` for the whole answer, so a second ticking by does not shave one off cookieMaxAge.
  return jwtAnswer(context, user, session, { firstSeen: options.firstSeen, refreshJwt: await refreshJwtOf(context, user, session, now), now })
}

/**
 * A refresh: a new session JWT for the refresh session; with `refresh_token_rotation`, a new
 * refresh session too (same factors and tenant, same expiry) and the old one refused from now on.
 */
export async function refreshAnswer(context: SessionContext, user: StoredUser, session: StoredSession): Promise<JwtAnswer> {
  const { store } = context
  if (!store.settings().refresh_token_rotation) return jwtAnswer(context, user, session, { firstSeen: false })
  const next: StoredSession = { ...session, sid: randomId(27), revoked: false, rotated: false }
  await store.putSession(next)
  await store.putSession({ ...session, revoked: true, rotated: true })
  return jwtAnswer(context, user, next, { firstSeen: false, refreshJwt: await refreshJwtOf(context, user, next) })
}

async function refreshJwtOf(context: SessionContext, user: StoredUser, session: StoredSession, now = context.store.now()): Promise<string> {
  const { store } = context
  const { current } = await store.signingKeys()
  const claims = { amr: session.amr, drn: 'DSR', exp: session.exp, iat: now, iss: issuerOf(context), jti: session.sid, ...subjectOf(store.settings(), user) }
  return signJwt({ alg: 'RS256', kid: current.kid, typ: 'JWT' }, claims, current)
}

/** The JWT answer with a new session JWT for an existing refresh session. */
async function jwtAnswer(
  context: SessionContext,
  user: StoredUser,
  session: StoredSession,
  options: { firstSeen: boolean; refreshJwt?: string; now?: number }
): Promise<JwtAnswer> {
  const { store } = context
  const settings = store.settings()
  const now = options.now ?? store.now()
  const exp = now + SESSION_SECONDS
  const custom = session.customClaims
  const { current } = await store.signingKeys()
  const sessionJwt = await signJwt(
    { alg: 'RS256', kid: current.kid, typ: 'JWT' },
    {
      // Custom claims from login options are "considered insecure and will be nested under the nsec custom claim".
      ...(Object.keys(custom).length > 0 ? { nsec: custom } : {}),
      amr: session.amr,
      drn: 'DS',
      exp,
      iat: now,
      iss: issuerOf(context),
      ...subjectOf(settings, user),
      rexp: new Date(session.exp * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      ...authorizationOf(settings, user, session.tenantId),
      ...(stepUpHolds(settings, session, now) ? { su: true } : {}),
    },
    current
  )
  const cookieMaxAge = Math.max(session.exp - now, 0)
  return {
    sessionJwt,
    refreshJwt: options.refreshJwt,
    cookieMaxAge,
    sessionMaxAge: SESSION_SECONDS,
    sessionExpiration: exp,
    body: {
      cookieDomain: settings.refresh_token_cookie_domain,
      cookiePath: '/',
      cookieMaxAge,
      cookieExpiration: session.exp,
      cookieName: 'DSR',
      sessionExpiration: exp,
      firstSeen: options.firstSeen,
      user: userResponse(user),
    },
  }
}

/** `su` on a session JWT issued at `now`: within `step_up_token_expiration` of the step-up (0: while the refresh session lasts). */
function stepUpHolds(settings: ProjectSettings, session: StoredSession, now: number): boolean {
  if (!session.su) return false
  const limit = settings.step_up_token_expiration
  return limit === 0 || now - (session.stepUpAt ?? 0) < limit
}

/**
 * The refresh session and user behind a refresh JWT: signed by a listed key, `drn` DSR, issued
 * for this project, unexpired on the emulator's clock, not logged out and not rotated away. 401 otherwise.
 */
export async function requireRefresh(context: SessionContext, token: string | undefined): Promise<{ session: StoredSession; user: StoredUser }> {
  const { store, projectId } = context
  if (!token) throw unauthorized('Refresh token is missing')
  const claims = await verifyJwt(token, (await store.signingKeys()).keys)
  if (!claims) throw unauthorized('Refresh token is invalid')
  if (claims.drn !== 'DSR') throw unauthorized('Token is not a refresh token')
  const issuer = typeof claims.iss === 'string' ? claims.iss : ''
  if (issuer !== projectId && issuer.split('/').at(-1) !== projectId) throw unauthorized('Refresh token is for another project')
  if (typeof claims.exp !== 'number' || claims.exp <= store.now()) throw unauthorized('Refresh token has expired')
  const session = typeof claims.jti === 'string' ? await store.session(claims.jti) : undefined
  if (!session || session.userId !== userIdOf(claims)) throw unauthorized('Refresh token is unknown')
  if (session.rotated) throw unauthorized('Refresh token was replaced by rotation')
  if (session.revoked) throw revoked()
  const user = await store.user(session.userId)
  if (!user) throw unauthorized('Refresh token is unknown')
  return { session, user }
}
