/**
 * @module
 * Users as Descope returns them (docs/descope-contract.md §3.12: the fields Kotlin and Swift require are always
 * present, `createdTime` is a number of seconds, the casing is Descope's own mix).
 */
import { base64url, randomId } from './encoding'
import type { StoredUser, Transaction } from './store'

/** A new user ID and its WebAuthn handle (Descope's handles decode to the ID without its `U`). */
export function newUserId(): { userId: string; handle: string } {
  const id = randomId(27)
  return { userId: `U${id}`, handle: base64url(id) }
}

/** The user a successful sign-up creates. */
export function newUser(transaction: Transaction, now: number): StoredUser {
  const details = transaction.details ?? {}
  return {
    ...blankUser(transaction.userId, transaction.loginId, transaction.handle ?? base64url(transaction.userId.slice(1)), now),
    name: details.name ?? '',
    givenName: details.givenName ?? '',
    middleName: details.middleName ?? '',
    familyName: details.familyName ?? '',
    email: details.email ?? '',
    phone: details.phone ?? '',
  }
}

/** A user with one login ID and nothing else: no profile, roles, tenants or passkeys. */
export function blankUser(userId: string, loginId: string, handle: string, now: number): StoredUser {
  return {
    userId,
    loginIds: [loginId],
    name: '',
    givenName: '',
    middleName: '',
    familyName: '',
    email: '',
    phone: '',
    handle,
    createdTime: now,
    status: 'enabled',
    roleNames: [],
    permissions: [],
    tenants: [],
    credentialIds: [],
  }
}

/** The UserResponse object (`/v1/auth/me` at top level, `user` in JWT responses). */
export function userResponse(user: StoredUser): Record<string, unknown> {
  return {
    userId: user.userId,
    loginIds: user.loginIds,
    name: user.name,
    givenName: user.givenName,
    middleName: user.middleName,
    familyName: user.familyName,
    email: user.email,
    phone: user.phone,
    verifiedEmail: false,
    verifiedPhone: false,
    picture: '',
    roleNames: user.roleNames,
    userTenants: (user.tenants ?? []).map((tenant) => ({
      tenantId: tenant.tenantId,
      tenantName: tenant.tenantId,
      roleNames: tenant.roles,
      permissions: tenant.permissions,
    })),
    status: user.status,
    createdTime: user.createdTime,
    customAttributes: {},
    test: false,
    TOTP: false,
    SAML: false,
    SCIM: false,
    OAuth: {},
    webauthn: user.credentialIds.length > 0,
    password: false,
    ssoAppIds: [],
    externalIds: [],
    editable: true,
    push: false,
    permissions: user.permissions ?? [],
  }
}
