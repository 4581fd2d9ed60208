/**
 * @module
 * A project's settings, under Descope's own names (its Terraform provider's project settings and
 * JWT template options), switchable at run time through `PUT /emulator/:projectId/settings`.
 * They change what an auth answer carries: where the tokens travel (body or Set-Cookie), whether
 * refresh rotates, the issuer, where the user ID sits, how tenants and permissions appear, and
 * how login IDs are matched. emulator/README.md, "Project settings", lists what each one does.
 */
import { malformed } from './errors'
import { isRecord } from './request'

export interface ProjectSettings {
  /** `cookies`: the refresh JWT leaves the JSON body and comes as `Set-Cookie: DSR=…`. */
  refresh_token_response_method: 'response_body' | 'cookies'
  /** `cookies`: the session JWT leaves the JSON body and comes as `Set-Cookie: DS=…`. */
  session_token_response_method: 'response_body' | 'cookies'
  /** SameSite of the DSR cookie Descope sets (Terraform default `none`). */
  refresh_token_cookie_policy: 'strict' | 'lax' | 'none'
  /** Domain of the DSR cookie (Descope's custom domain); empty: no Domain attribute. */
  refresh_token_cookie_domain: string
  /** SameSite of the DS cookie Descope sets (Terraform default `none`). */
  session_token_cookie_policy: 'strict' | 'lax' | 'none'
  /** Domain of the DS cookie; empty: no Domain attribute. */
  session_token_cookie_domain: string
  /** A new refresh JWT on every refresh; the one it replaces is refused from then on. */
  refresh_token_rotation: boolean
  /** `iss` = `<API base URL>/<projectId>` instead of the bare project ID. */
  conformance_issuer: boolean
  /** Any `iss` (a custom domain's URL); wins over `conformance_issuer`. Empty: not set. */
  issuer: string
  /** `sub` holds the user's first login ID; the user ID moves to `dsub`. */
  override_subject_claim: boolean
  /** `tenantOnly`: roles and permissions of the current tenant at the top level, `dct` names it, no `tenants`. */
  auth_schema: 'default' | 'tenantOnly'
  /** `dct` (Descope current tenant) in the default schema too, for users in exactly one tenant. */
  auto_tenant_claim: boolean
  /** Seconds a step-up lasts: `su` is left off session JWTs issued later than this after it. 0: as long as the refresh session. */
  step_up_token_expiration: number
  /** Emulator-only (Descope's value is unpublished; its go-webauthn fork may use 60): seconds a WebAuthn transaction lasts, the options' `timeout`. */
  transaction_seconds: number
  /**
   * Emulator-only: `empty` answers what Descope's SDK fixtures show — every JWT response carries
   * `sessionJwt` and `refreshJwt`, `""` for a token not in the body, and logout answers one with
   * empty fields; `omitted` leaves those fields out and answers logout `{}` (the older model).
   */
  jwt_response_fields: 'empty' | 'omitted'
  /** No `permissions` claims at all. */
  exclude_permission_claim: boolean
  /** Emulator-only (Descope's matching is unpublished): how login IDs are compared. */
  login_id_case: 'insensitive' | 'sensitive'
  /**
   * Emulator-only (Descope's behaviour is unpublished): what `signup-in/start` does for a login ID
   * whose user has no passkey. `attach`: `create: true` for that user, and its sign-up finish
   * enrols the passkey on the existing account (the hostile reading); `new_user`: `create: true`
   * for a new user, whose sign-up finish then refuses the taken login ID (E062107); `refuse`: the
   * start is refused, as sign-in start refuses a user without a passkey.
   */
  passkeyless_signup_in: 'attach' | 'new_user' | 'refuse'
  /** Seconds a magic link stays valid (Descope's console setting; its default is not published). */
  magiclink_expiration: number
}

export const DEFAULT_SETTINGS: Readonly<ProjectSettings> = Object.freeze({
  refresh_token_response_method: 'response_body',
  session_token_response_method: 'response_body',
  refresh_token_cookie_policy: 'none',
  refresh_token_cookie_domain: '',
  session_token_cookie_policy: 'none',
  session_token_cookie_domain: '',
  refresh_token_rotation: false,
  conformance_issuer: false,
  issuer: '',
  override_subject_claim: false,
  auth_schema: 'default',
  auto_tenant_claim: false,
  step_up_token_expiration: 0,
  transaction_seconds: 300,
  jwt_response_fields: 'empty',
  exclude_permission_claim: false,
  login_id_case: 'insensitive',
  passkeyless_signup_in: 'attach',
  magiclink_expiration: 600,
})

type Rule = readonly string[] | 'boolean' | 'string' | 'seconds'

const RULES: Record<keyof ProjectSettings, Rule> = {
  refresh_token_response_method: ['response_body', 'cookies'],
  session_token_response_method: ['response_body', 'cookies'],
  refresh_token_cookie_policy: ['strict', 'lax', 'none'],
  refresh_token_cookie_domain: 'string',
  session_token_cookie_policy: ['strict', 'lax', 'none'],
  session_token_cookie_domain: 'string',
  refresh_token_rotation: 'boolean',
  conformance_issuer: 'boolean',
  issuer: 'string',
  override_subject_claim: 'boolean',
  auth_schema: ['default', 'tenantOnly'],
  auto_tenant_claim: 'boolean',
  step_up_token_expiration: 'seconds',
  transaction_seconds: 'seconds',
  jwt_response_fields: ['empty', 'omitted'],
  exclude_permission_claim: 'boolean',
  login_id_case: ['insensitive', 'sensitive'],
  passkeyless_signup_in: ['attach', 'new_user', 'refuse'],
  magiclink_expiration: 'seconds',
}

/** `current` with `patch` merged in; E011001 naming the first unknown setting or bad value. */
export function mergeSettings(current: ProjectSettings, patch: unknown): ProjectSettings {
  if (!isRecord(patch)) throw malformed('Settings must be a JSON object')
  const next: Record<string, unknown> = { ...current }
  for (const [name, value] of Object.entries(patch)) {
    const rule = Object.hasOwn(RULES, name) ? RULES[name as keyof ProjectSettings] : undefined
    if (!rule) throw malformed(`Unknown setting: ${name.slice(0, 60)}`)
    if (!fits(rule, value)) throw malformed(`Setting ${name} must be ${describe(rule)}`)
    next[name] = value
  }
  return next as unknown as ProjectSettings
}

function fits(rule: Rule, value: unknown): boolean {
  if (rule === 'boolean') return typeof value === 'boolean'
  if (rule === 'string') return typeof value === 'string' && value.length <= 512
  if (rule === 'seconds') return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 31_536_000
  return rule.includes(value as string)
}

function describe(rule: Rule): string {
  if (rule === 'seconds') return 'a whole number of seconds (0–31536000)'
  return rule === 'boolean' || rule === 'string' ? `a ${rule}` : rule.map((v) => `"${v}"`).join(' or ')
}

/** The login ID as the project compares it. */
export function loginKey(settings: ProjectSettings, loginId: string): string {
  return settings.login_id_case === 'sensitive' ? loginId : loginId.toLowerCase()
}
