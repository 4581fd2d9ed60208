/**
 * @module
 * Role, permission, tenant and step-up requirements, as a pure check shared by the Hono
 * middleware and the RPC entrypoint.
 */
import { ConfigError } from '../config.ts'
import { type AppError, forbidden, stepUpRequired } from '../errors.ts'
import { isRecord } from '../lib/is-record.ts'
import type { Session } from './types.ts'

export interface SessionRequirements {
  /** Every listed role is required (in `tenant` when given, else project-level). */
  roles?: string[]
  /** Every listed permission is required (in `tenant` when given, else project-level). */
  permissions?: string[]
  /** The session must belong to this tenant (Descope's `tenants` claim, or `dct`). */
  tenant?: string
  /** Descope's step-up marker (`su: true`) is required. */
  stepup?: boolean
}

const strings = (value: unknown) => Array.isArray(value) && value.every((item) => typeof item === 'string')
const flag = (value: unknown) => typeof value === 'boolean'

/** What each option of a session check must be (the requirements, and `refresh`: package/outcome-types.ts). */
const OPTION_RULES = new Map<string, (value: unknown) => boolean>([
  ['roles', strings],
  ['permissions', strings],
  ['tenant', (value) => typeof value === 'string'],
  ['stepup', flag],
  ['refresh', flag],
  ['checkOrigin', flag],
])

/**
 * The name of the first malformed or unknown option of a session check that arrived untyped
 * (over RPC, or from JavaScript), `'options'` when they are not an object, or `undefined` when
 * all is well (`undefined` and `null` are no options).
 * A caller's bug is refused by name, never read loosely: a string `roles`, or `role: [...]`,
 * must not mean "no roles required".
 */
export function requirementsProblem(options: unknown): string | undefined {
  if (options === undefined || options === null) return undefined
  if (!isRecord(options)) return 'options'
  return Object.keys(options).find((name) => options[name] !== undefined && !OPTION_RULES.get(name)?.(options[name]))
}

/** `ok`, `forbidden` (403) or `stepup` (401 with the RFC 9470 challenge). */
export function checkRequirements(session: Session, requirements: SessionRequirements): 'ok' | 'forbidden' | 'stepup' {
  const { roles = [], permissions = [], tenant, stepup = false } = requirements
  let grants: { roles: string[]; permissions: string[] } = session
  if (tenant !== undefined) {
    // The tenants map when the token has one; only without it, as Descope's SDKs do (core-js
    // helpers, go-sdk auth.go: "if 'tenants' claim exists, the top level claim represents the
    // project level roles/permissions"), the current tenant (`dct`), whose grants a tenant-only
    // project puts at the top level.
    const tenantGrants = hasTenantsClaim(session)
      ? Object.hasOwn(session.tenants, tenant)
        ? session.tenants[tenant]
        : undefined
      : session.currentTenant === tenant
        ? session
        : undefined
    if (!tenantGrants) return 'forbidden'
    grants = tenantGrants
  }
  if (!roles.every((role) => grants.roles.includes(role))) return 'forbidden'
  if (!permissions.every((permission) => grants.permissions.includes(permission))) return 'forbidden'
  if (stepup && !session.stepUp) return 'stepup'
  return 'ok'
}

/** Whether the token carries a `tenants` object (`null`, from `empty_claim_policy: nil`, is none). */
function hasTenantsClaim(session: Session): boolean {
  return isRecord(session.claims.tenants)
}

/** The answer when a session misses a requirement: 403 (RFC 6750 challenge) or 401 (RFC 9470 challenge); `undefined` when it passes. */
export function requirementError(session: Session, requirements: SessionRequirements): AppError | undefined {
  const verdict = checkRequirements(session, requirements)
  if (verdict === 'forbidden') return forbidden()
  if (verdict === 'stepup') return stepUpRequired()
  return undefined
}

/** A route's requirements: the tenant may be named by a function of the request (e.g. from a path parameter). */
export type RouteRequirements<Request> = Omit<SessionRequirements, 'tenant'> & {
  /** A tenant ID, or a function of the request that names one (e.g. from a path parameter). */
  tenant?: string | ((c: Request) => string | undefined)
}

/**
 * Refuses a route's malformed requirements when the route is declared, not per request: a
 * misspelt requirement (`role`, `roles: 'admin'`, `stepup: {…}`) from JavaScript must not pass as
 * none (T63).
 * @throws {ConfigError} naming `requirements`.
 */
export function assertRouteRequirements(requirements: RouteRequirements<never>): void {
  const problem = requirementsProblem({ ...requirements, tenant: typeof requirements.tenant === 'function' ? undefined : requirements.tenant })
  if (problem) throw new ConfigError('requirements', problem)
}

/** `requirementError` for a route's requirements and this request: a tenant function that names none refuses (403). */
export function routeRequirementError<Request>(session: Session, requirements: RouteRequirements<Request>, c: Request): AppError | undefined {
  if (typeof requirements.tenant !== 'function') return requirementError(session, { ...requirements, tenant: requirements.tenant })
  const tenant = requirements.tenant(c)
  return tenant === undefined ? forbidden() : requirementError(session, { ...requirements, tenant })
}
