/**
 * @module
 * Verified claims → the `Session` handlers see. Claims are untrusted shapes even after the
 * signature check (a Descope project can add custom claims), so every field is narrowed.
 */
import type { JWTPayload } from 'jose'
import { isRecord } from '../lib/is-record.ts'
import type { Session, TenantGrants } from './types.ts'

/**
 * Builds the session; `undefined` when the user ID or `exp` is missing (the caller answers 401).
 * The user ID is `dsub` when present (a project's JWT template may put something else in `sub`:
 * `override_subject_claim`), else `sub`, as Descope's Go and Python SDKs read it.
 */
export function sessionFromClaims(claims: JWTPayload, token: string): Session | undefined {
  const { exp } = claims
  const userId = claims.dsub ?? claims.sub
  if (typeof userId !== 'string' || !userId || typeof exp !== 'number') return undefined
  return {
    userId,
    expiresAt: exp,
    roles: strings(claims.roles),
    permissions: strings(claims.permissions),
    tenants: tenants(claims.tenants),
    ...(typeof claims.dct === 'string' && claims.dct ? { currentTenant: claims.dct } : {}),
    amr: strings(claims.amr),
    stepUp: claims.su === true,
    claims,
    token,
  }
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []
}

function tenants(value: unknown): Record<string, TenantGrants> {
  const result: Record<string, TenantGrants> = {}
  if (!isRecord(value)) return result
  for (const [id, grants] of Object.entries(value)) {
    // JSON may carry an own "__proto__" key; assigning it would swap the result's prototype.
    if (id === '__proto__') continue
    const record = isRecord(grants) ? grants : {}
    result[id] = { roles: strings(record.roles), permissions: strings(record.permissions) }
  }
  return result
}
