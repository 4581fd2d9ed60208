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
  /** SameSite of the DS/DSR cookies Descope sets. */
  refresh_token_cookie_policy: 'strict' | 'lax' | 'none'
  /** Domain of the DS/DSR cookies (Descope's custom domain); empty: no Domain attribute. */
  refresh_token_cookie_domain: string
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
  /** `dct` (Descope current tenant) in the default schema too. */
  auto_tenant_claim: boolean
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
  refresh_token_cookie_policy: 'strict',
  refresh_token_cookie_domain: '',
  refresh_token_rotation: false,
  conformance_issuer: false,
  issuer: '',
  override_subject_claim: false,
  auth_schema: 'default',
  auto_tenant_claim: false,
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
  refresh_token_rotation: 'boolean',
  conformance_issuer: 'boolean',
  issuer: 'string',
  override_subject_claim: 'boolean',
  auth_schema: ['default', 'tenantOnly'],
  auto_tenant_claim: 'boolean',
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
    if (!fitsRule(rule, value)) throw malformed(`Setting ${name} must be ${describeRule(rule)}`)
    next[name] = value
  }
  return next as unknown as ProjectSettings
}

function fitsRule(rule: Rule, value: unknown): boolean {
  if (rule === 'boolean') return typeof value === 'boolean'
  if (rule === 'string') return typeof value === 'string' && value.length <= 512
  if (rule === 'seconds') return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 86_400
  return rule.includes(value as string)
}

function describeRule(rule: Rule): string {
  if (rule === 'seconds') return 'a whole number of seconds from 1 to 86400'
  return rule === 'boolean' || rule === 'string' ? `a ${rule}` : rule.map((v) => `"${v}"`).join(' or ')
}

/** The login ID as the project compares it. */
export function loginKey(settings: ProjectSettings, loginId: string): string {
  return settings.login_id_case === 'sensitive' ? loginId : loginId.toLowerCase()
}
