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
  /** Descope user ID (`sub`). */
  userId: string
  /** Expiry of the session token (epoch seconds). */
  expiresAt: number
  roles: string[]
  permissions: string[]
  tenants: Record<string, TenantGrants>
  /** Authentication methods, e.g. `["webauthn"]`. */
  amr: string[]
  /** Descope's step-up marker. */
  stepUp: boolean
  /** The verified claims, whole. */
  claims: JWTPayload
  /** The verified session token itself, for calls that must forward it. */
  token: string
}
