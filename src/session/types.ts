/**
 * @module
 * The verified session handed to handlers as `c.var.session`, and the options of a check.
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

/** How one request's session is checked. */
export interface CheckOptions {
  /**
   * Refresh a session cookie that is missing or merely expired with the refresh cookie (one call
   * to Descope). Bearer tokens never are. Default `true` in `descopeSession()` and this Worker's
   * `requireSession()`, which set the new cookies on the answer; `false` in `verifyRequest()`,
   * whose `setCookie` you must set: a rotated refresh token that misses the browser signs the user
   * out.
   */
  refresh?: boolean
  /**
   * Refuse (403 `origin_not_allowed`) a request the cookies authenticate whose method is not GET,
   * HEAD or OPTIONS unless its `Origin` is its own or an allowed one, or `Sec-Fetch-Site` is
   * `same-origin` (docs/session.md, "Cross-site requests"; this Worker allows `ALLOWED_ORIGINS`).
   * Default `true`. `false` gives up this CSRF defence: a sibling subdomain (same site, so
   * `SameSite=Strict` cookies go along) could then post as the signed-in user. Without a method
   * the request is taken to change something.
   */
  checkOrigin?: boolean
}
