/**
 * @module
 * The browser's request bodies, parsed from `unknown` and narrowed by hand. Shapes are strict:
 * an unknown field is refused (400 `invalid_request` naming it), so a typo or an attempt to pass
 * Descope options through fails loudly instead of being silently dropped.
 */
import type { UserDetails } from '../descope/types.ts'
import { AppError } from '../errors.ts'
import { isRecord } from '../lib/is-record.ts'
import { canonicalLoginId } from './login-id.ts'

/** Fields a browser might try to forward to Descope; they only ever come from the server. */
const SERVER_ONLY_FIELDS = new Set(['customClaims', 'templateOptions', 'templateId', 'loginOptions', 'origin', 'passkeyOptions', 'tenantId'])
/**
 * Contact details the browser chose, which nothing here verifies: stored on a new Descope user they
 * would let someone pre-claim another person's address (a project that merges users by email
 * would later hand that person's sign-in to this account: docs/threat-model.md, T63).
 */
const UNVERIFIED_FIELDS = new Set(['email', 'phone'])

const MAX_NAME_LENGTH = 100
/** Field names are echoed in error messages: at most this many characters of them. */
const MAX_ECHOED_FIELD_LENGTH = 40
const CONTROL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u

interface SignUpStartInput {
  loginId: string
  user: UserDetails
}

/**
 * Who signs in: the typed login ID's user; whoever owns the discoverable passkey the browser
 * offers (no login ID); or, for step-up and MFA, the session's user again.
 */
type SignInStartInput = { kind: 'login-id'; loginId: string } | { kind: 'discoverable' } | { kind: 'session'; stepup: boolean; mfa: boolean }

interface FinishInput {
  transactionId: string
  /** The credential as a JSON string, ready for Descope. */
  response: string
}

/** `{loginId, name?}` */
export function parseSignUpStart(body: Record<string, unknown>): SignUpStartInput {
  allowOnly(body, ['loginId', 'name'])
  const loginId = canonicalLoginId(required(body, 'loginId'))
  const user: UserDetails = {}
  if (body.name !== undefined) user.name = text(body.name, 'name', MAX_NAME_LENGTH)
  return { loginId, user }
}

/** `{loginId}`; `{}` for a discoverable passkey; `{stepup: true}` / `{mfa: true}` (the session's user). */
export function parseSignInStart(body: Record<string, unknown>): SignInStartInput {
  allowOnly(body, ['loginId', 'stepup', 'mfa'])
  const stepup = flag(body, 'stepup')
  const mfa = flag(body, 'mfa')
  if (stepup || mfa) {
    if (body.loginId !== undefined) throw invalidField('loginId', 'must not be sent with stepup or mfa: the session decides who signs in')
    return { kind: 'session', stepup, mfa }
  }
  if (!('loginId' in body)) return { kind: 'discoverable' }
  return { kind: 'login-id', loginId: canonicalLoginId(required(body, 'loginId')) }
}

/** `{loginId}` */
export function parseLoginIdOnly(body: Record<string, unknown>): { loginId: string } {
  allowOnly(body, ['loginId'])
  return { loginId: canonicalLoginId(required(body, 'loginId')) }
}

/** Longest recovery link token accepted (Descope's are a few dozen characters). */
const MAX_LINK_TOKEN_LENGTH = 1024

/** `{token}`: the `t` of a recovery link, opaque, printable ASCII without spaces. */
export function parseLinkToken(body: Record<string, unknown>): { token: string } {
  allowOnly(body, ['token'])
  const token = required(body, 'token')
  if (typeof token !== 'string' || !/^[\x21-\x7e]+$/.test(token) || token.length > MAX_LINK_TOKEN_LENGTH) {
    throw invalidField('token', `must be 1 to ${MAX_LINK_TOKEN_LENGTH} printable characters`)
  }
  return { token }
}

/** `{}`: add-device takes the user from the session, never from the body. */
export function parseEmpty(body: Record<string, unknown>): void {
  if ('loginId' in body) throw invalidField('loginId', 'must not be sent: a device is added to the signed-in user')
  allowOnly(body, [])
}

/** `{transactionId, response}`; `response` is the credential as WebAuthn JSON or as a JSON string. */
export function parseFinish(body: Record<string, unknown>): FinishInput {
  allowOnly(body, ['transactionId', 'response'])
  const transactionId = required(body, 'transactionId')
  if (typeof transactionId !== 'string') throw invalidField('transactionId', 'must be a string')
  return { transactionId, response: credentialJson(required(body, 'response')) }
}

function credentialJson(value: unknown): string {
  let credential = value
  if (typeof value === 'string') {
    try {
      credential = JSON.parse(value)
    } catch {
      throw invalidField('response', 'is not valid JSON')
    }
  }
  if (!isRecord(credential)) throw invalidField('response', 'must be a credential object')
  const { id, type, response } = credential
  if (typeof id !== 'string' || !id || type !== 'public-key' || typeof response !== 'object' || response === null) {
    throw invalidField('response', 'must be a WebAuthn credential ({id, type: "public-key", response})')
  }
  // Re-serialise the parsed value: Descope gets well-formed JSON, never the raw text.
  return JSON.stringify(credential)
}

function allowOnly(body: Record<string, unknown>, allowed: string[]): void {
  for (const field of Object.keys(body)) {
    if (SERVER_ONLY_FIELDS.has(field)) throw invalidField(field, 'may not be set by the browser')
    if (UNVERIFIED_FIELDS.has(field)) throw invalidField(field, 'is not accepted (unverified)')
    if (!allowed.includes(field)) throw invalidField(field, 'is not a known field')
  }
}

function required(body: Record<string, unknown>, field: string): unknown {
  if (body[field] === undefined || body[field] === null) throw invalidField(field, 'is required')
  return body[field]
}

function flag(body: Record<string, unknown>, field: string): boolean {
  const value = body[field]
  if (value === undefined) return false
  if (typeof value !== 'boolean') throw invalidField(field, 'must be a boolean')
  return value
}

function text(value: unknown, field: string, maxLength: number): string {
  if (typeof value !== 'string') throw invalidField(field, 'must be a string')
  const trimmed = value.trim().normalize('NFC')
  if (!trimmed || trimmed.length > maxLength) throw invalidField(field, `must be 1 to ${maxLength} characters`)
  if (CONTROL.test(trimmed)) throw invalidField(field, 'has a character that is not allowed')
  return trimmed
}

function invalidField(field: string, what: string): AppError {
  // Field names come from our own lists or from Object.keys of the body: cap what is echoed.
  const name = field.length > MAX_ECHOED_FIELD_LENGTH ? `${field.slice(0, MAX_ECHOED_FIELD_LENGTH)}…` : field
  return new AppError('invalid_request', { message: `"${name}" ${what}.` })
}
