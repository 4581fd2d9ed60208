/**
 * @module
 * The verified session handed to handlers as `c.var.session`.
 */
import type { JWTPayload } from 'jose'

export interface TenantGrants {
  roles: string[]
  permissions: string[]
}

export interface Session {
  /** Descope user ID (`dsub` when present, else `sub`). */
  userId: string
  /** Expiry of the session token (epoch seconds). */
  expiresAt: number
  roles: string[]
  permissions: string[]
  tenants: Record<string, TenantGrants>
  /**
   * The current tenant (`dct`), when the project's JWT template names one (tenant-only auth
   * schema, `auto_tenant_claim`); the top-level `roles` and `permissions` are then that tenant's.
   */
  currentTenant?: string
  /** Authentication methods, e.g. `["webauthn"]`. */
  amr: string[]
  /** Descope's step-up marker. */
  stepUp: boolean
  /** The verified claims, whole. */
  claims: JWTPayload
  /** The verified session token itself, for calls that must forward it. */
  token: string
}

/** A claim's value as JSON gives it; nested arrays and objects are `object` (a shape RPC's types can carry). */
export type ClaimValue = string | number | boolean | null | object
