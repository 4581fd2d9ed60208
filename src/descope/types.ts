/**
 * @module
 * The shapes of Descope's auth API that the Worker reads or sends
 * (docs/descope-contract.md §3). Only the fields used here are typed.
 */

/** Descope's user object (`/v1/auth/me`, and `user` in a JWT response). */
export interface DescopeUser {
  userId: string
  loginIds: string[]
  name?: string
  email?: string
  phone?: string
  roleNames?: string[]
  createdTime?: number
  status?: string
  [field: string]: unknown
}

/** The answer of a WebAuthn start call. `options` is Descope's JSON *string*. */
export interface StartResponse {
  transactionId: string
  options: string
  create: boolean
}

/**
 * The answer of sign-up/sign-in finish and refresh (docs/descope-contract.md §3.12), empty fields
 * already read as absent (empty-fields.ts). Its lifetimes (`cookieMaxAge`, `sessionExpiration`, …)
 * are not read: cookies live as long as the verified tokens' `exp` say (src/session/cookies.ts).
 */
export interface JwtResponse {
  sessionJwt: string
  refreshJwt?: string
  firstSeen?: boolean
  user?: DescopeUser
}

/**
 * A refresh token this edge has verified itself (signature, issuer, `drn: "DSR"`, and the
 * session's user where there is one; src/session/authenticate.ts `verifyRefreshToken`). The
 * client sends no other kind to Descope, so a forged refresh cookie never leaves the edge; only
 * the session check makes one (a type-level rule).
 */
export type VerifiedRefreshToken = string & { readonly __brand: 'VerifiedRefreshToken' }

/** `loginOptions` as Descope takes them; the Worker builds these, never the browser. */
export interface LoginOptions {
  stepup?: boolean
  mfa?: boolean
  customClaims?: Record<string, unknown>
  templateOptions?: Record<string, string>
}

export interface UserDetails {
  name?: string
  email?: string
  phone?: string
}
