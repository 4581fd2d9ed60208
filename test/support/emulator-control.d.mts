import type { ProjectSettings } from '../../emulator/src/settings'

export declare function newProjectId(): string

/** A user as `POST /emulator/:projectId/users` takes it. */
export interface EmulatorUser {
  loginId: string
  name?: string
  email?: string
  phone?: string
  roles?: string[]
  permissions?: string[]
  tenants?: Array<{ tenantId: string; roles?: string[]; permissions?: string[] }>
}

/**
 * `Fault` is what `fault()` takes: the workerd tests name the emulator's own `Fault` type
 * (test/support/edge.ts); Node harnesses, which cannot load workerd's types, pass plain objects.
 */
export interface EmulatorControl<Fault = Record<string, unknown>> {
  projectId: string
  /** Calls per route since the last reset, keyed `"METHOD /path"` (the keys path without the project ID: `"GET /v2/keys"`). */
  calls(): Promise<Record<string, number>>
  count(route: string): Promise<number>
  resetCalls(): Promise<unknown>
  fault(fault: Fault): Promise<unknown>
  clearFaults(): Promise<unknown>
  /** A new signing key; the previous ones stay in the JWKS ("Rotate") unless `revoke` ("Rotate and Revoke"). */
  rotateKeys(options?: { revoke?: boolean }): Promise<{ kid: string }>
  /** Shifts the emulator's clock (token times, transaction expiry). */
  setClock(offsetSeconds: number): Promise<unknown>
  /** Merges Descope-named project settings (emulator/README.md, "Project settings"); answers all of them. */
  settings(settings?: Partial<ProjectSettings>): Promise<ProjectSettings>
  /** A user without a passkey, as if made in the Descope console. */
  createUser(user: EmulatorUser): Promise<string>
  /** The user object (as `/v1/auth/me` answers it): `webauthn` says whether it has a passkey. */
  user(userId: string): Promise<{ userId: string; loginIds: string[]; webauthn: boolean; [field: string]: unknown }>
  /** Replaces the given fields of a user (roles, permissions, tenants, profile, status); answers the user object. */
  patchUser(userId: string, patch: Partial<Omit<EmulatorUser, 'loginId'>> & { status?: 'enabled' | 'disabled' }): Promise<unknown>
  /** Removes every passkey of a user, as in the console (its sessions stay); answers the user object. */
  removePasskeys(userId: string): Promise<{ userId: string; webauthn: boolean; [field: string]: unknown }>
  /** Emails the project sent (magic links), newest first. */
  outbox(): Promise<Array<{ to: string; loginId: string; link: string; sentAt: number }>>
  /** Signs any payload with the project's current key (header defaults: RS256 and the current kid). */
  sign(payload: Record<string, unknown>, header?: Record<string, unknown>): Promise<string>
  /** Descope's own `POST /v1/auth/refresh` with a refresh JWT: what Descope says of a token, without the edge. */
  refresh(refreshJwt: string): Promise<{ status: number; body: Record<string, unknown> }>
}

export declare function emulatorControl<Fault = Record<string, unknown>>(
  projectId: string,
  baseUrl: string,
  options?: { fetch?: typeof fetch }
): EmulatorControl<Fault>
