/**
 * @module
 * Role, permission, tenant and step-up requirements, as a pure check shared by the Hono
 * middleware and the RPC entrypoint.
 */
import { type AppError, forbidden, stepUpRequired } from '../errors'
import type { Session } from './types'

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

/** Every option a session check takes: the requirements, and `refresh` (outcome-types.ts). */
const CHECK_OPTIONS = new Set(['roles', 'permissions', 'tenant', 'stepup', 'refresh'])

/**
 * What is wrong with session check options that arrived untyped (over RPC, or from JavaScript),
 * or `undefined` when they are well formed. A malformed or misspelt requirement is the caller's
 * bug and is refused by name, never read loosely: a string `roles`, or `role: [...]`, must not
 * mean "no roles required".
 */
export function requirementsProblem(options: unknown): string | undefined {
  if (options === undefined) return undefined
  if (typeof options !== 'object' || options === null || Array.isArray(options)) return 'the options must be an object'
  const entries = Object.entries(options)
  const unknown = entries.find(([name]) => !CHECK_OPTIONS.has(name))
  if (unknown) return `${unknown[0]} is not an option`
  for (const [name, value] of entries) {
    if (value === undefined) continue
    if ((name === 'roles' || name === 'permissions') && !(Array.isArray(value) && value.every((item) => typeof item === 'string')))
      return `${name} must be an array of strings`
    if (name === 'tenant' && typeof value !== 'string') return 'tenant must be a string'
    if ((name === 'stepup' || name === 'refresh') && typeof value !== 'boolean') return `${name} must be a boolean`
  }
  return undefined
}

/** The options of a check that never refreshes: `refresh` forced off, anything malformed left for `requirementsProblem` to name. */
export function withoutRefresh(requirements: unknown): unknown {
  return typeof requirements === 'object' && requirements !== null && !Array.isArray(requirements) ? { ...requirements, refresh: false } : requirements
}

/** `ok`, `forbidden` (403) or `stepup` (401 with the RFC 9470 challenge). */
export function checkRequirements(session: Session, requirements: SessionRequirements): 'ok' | 'forbidden' | 'stepup' {
  const { roles = [], permissions = [], tenant, stepup = false } = requirements
  let grants: { roles: string[]; permissions: string[] } = session
  if (tenant !== undefined) {
    // The tenants map first; else, as Descope's SDKs do, the current tenant (`dct`), whose grants
    // a tenant-only project puts at the top level.
    const tenantGrants = Object.hasOwn(session.tenants, tenant) ? session.tenants[tenant] : session.currentTenant === tenant ? session : undefined
    if (!tenantGrants) return 'forbidden'
    grants = tenantGrants
  }
  if (!roles.every((role) => grants.roles.includes(role))) return 'forbidden'
  if (!permissions.every((permission) => grants.permissions.includes(permission))) return 'forbidden'
  if (stepup && !session.stepUp) return 'stepup'
  return 'ok'
}

/** The answer when a session misses a requirement: 403 (RFC 6750 challenge) or 401 (RFC 9470 challenge); `undefined` when it passes. */
export function requirementError(session: Session, requirements: SessionRequirements): AppError | undefined {
  const verdict = checkRequirements(session, requirements)
  if (verdict === 'forbidden') return forbidden()
  if (verdict === 'stepup') return stepUpRequired()
  return undefined
}
