/**
 * @module
 * Users as a Descope project gets them outside passkey flows (console, management API, OTP):
 * `POST /emulator/:projectId/users` creates one without a passkey, `PATCH …/users/:userId`
 * changes roles, permissions, tenants or profile fields of any user.
 */
import { malformed, missingArgument } from './errors'
import { isRecord } from './request'
import type { StoredUser, TenantMembership } from './store'
import { blankUser, newUserId } from './users'

/** The fields a control call may set; each absent one stays as it is. */
type Patch = Partial<Pick<StoredUser, 'name' | 'email' | 'phone' | 'roleNames' | 'permissions' | 'tenants' | 'status'>>

/** A new user from `{loginId, name?, email?, phone?, roles?, permissions?, tenants?}`, without passkeys. */
export function createdUser(body: Record<string, unknown>, now: number): StoredUser {
  const { loginId } = body
  if (typeof loginId !== 'string' || !loginId) throw missingArgument('loginId')
  if (loginId.length > 256) throw malformed('loginId is too long')
  const { userId, handle } = newUserId()
  const user = blankUser(userId, loginId, handle, now)
  return { ...user, ...readPatch(body, ['loginId']) }
}

/** `user` with `{name?, email?, phone?, roles?, permissions?, tenants?, status?}` applied. */
export function patchedUser(user: StoredUser, body: Record<string, unknown>): StoredUser {
  return { ...user, ...readPatch(body, []) }
}

function readPatch(body: Record<string, unknown>, also: string[]): Patch {
  const patch: Patch = {}
  for (const [name, value] of Object.entries(body)) {
    if (also.includes(name)) continue
    switch (name) {
      case 'name':
      case 'email':
      case 'phone':
        if (typeof value !== 'string') throw malformed(`${name} must be a string`)
        patch[name] = value
        break
      case 'roles':
        patch.roleNames = strings(value, name)
        break
      case 'permissions':
        patch.permissions = strings(value, name)
        break
      case 'tenants':
        patch.tenants = tenants(value)
        break
      case 'status':
        if (value !== 'enabled' && value !== 'disabled') throw malformed('status must be "enabled" or "disabled"')
        patch.status = value
        break
      default:
        throw malformed(`Unknown user field: ${name.slice(0, 60)}`)
    }
  }
  return patch
}

function strings(value: unknown, name: string): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) throw malformed(`${name} must be an array of strings`)
  return value
}

function tenants(value: unknown): TenantMembership[] {
  if (!Array.isArray(value)) throw malformed('tenants must be an array of {tenantId, roles?, permissions?}')
  return value.map((tenant) => {
    if (!isRecord(tenant) || typeof tenant.tenantId !== 'string' || !tenant.tenantId) throw malformed('each tenant needs a tenantId')
    return {
      tenantId: tenant.tenantId,
      roles: tenant.roles === undefined ? [] : strings(tenant.roles, 'tenants[].roles'),
      permissions: tenant.permissions === undefined ? [] : strings(tenant.permissions, 'tenants[].permissions'),
    }
  })
}
