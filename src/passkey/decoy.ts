/**
 * @module
 * Sign-in start for a login ID Descope refuses (unknown user, no passkey here) answers like a
 * known one (W3C WebAuthn L3 §14.6.2, "Username Enumeration"): `200 {transactionId, options}`.
 *
 * - `allowCredentials` depends on the login ID (folded), the origin and the edge secret only
 *   (src/transactions/edge-secret.ts, one for every isolate and location): the same list on every
 *   call, in every isolate, at any time, whatever other accounts do. It holds one credential of
 *   a kind common authenticators make (ID length and transports), picked by a keyed hash; nothing
 *   is copied from another user's answer.
 * - The other fields belong to the project, not to a user: Descope's key order (`challenge`,
 *   `timeout`, `rpId`, `allowCredentials`, `userVerification`) and its values, taken from the last
 *   real answer this isolate saw for the origin, else Descope's defaults.
 * - The challenge and the transaction are fresh; finishing a decoy fails at Descope like any bad
 *   assertion (401 `authentication_failed`).
 * - The secret is read like the transaction store reads KV: a KV fault or hang is the same 503 a
 *   real answer gets when its transaction cannot be stored.
 */
import type { StartResponse } from '../descope/types'
import { toBase64Url } from '../lib/base64url'
import { randomToken } from '../lib/crypto'
import type { Telemetry } from '../telemetry/telemetry'
import { type EdgeSecretSource, edgeKey } from '../transactions/edge-secret'
import { loginIdKey } from './login-id'

/** Descope's default WebAuthn `timeout` (5 minutes), for a decoy before any real answer was seen. */
const DESCOPE_DEFAULT_TIMEOUT_MS = 300_000
/** Credentials as common authenticators make them, `[ID bytes, transports]`: synced passkeys and a security key. */
const CREDENTIAL_KINDS: ReadonlyArray<readonly [number, string[]]> = [
  [16, ['hybrid', 'internal']],
  [20, ['hybrid', 'internal']],
  [32, ['internal', 'hybrid']],
  [32, ['nfc', 'usb']],
]

/** The project's fields of the last real sign-in options per origin (no user's credentials). */
const templates = new Map<string, Record<string, unknown>>()

/** Keeps the project's fields and key order of real sign-in options (Descope's `options` string). */
export function rememberTemplate(origin: string, options: string): void {
  try {
    const { publicKey } = JSON.parse(options)
    // The user's own values are dropped at once; the keys keep their places.
    if (Array.isArray(publicKey.allowCredentials)) templates.set(origin, { ...publicKey, challenge: '', allowCredentials: [] })
  } catch {
    // The route refuses unparseable options itself.
  }
}

/** A Descope-like start answer for a refused login ID: a random transaction and stable, plausible options. */
export async function decoyStart(secrets: EdgeSecretSource, origin: string, loginId: string, telemetry: Pick<Telemetry, 'log'>): Promise<StartResponse> {
  const key = await edgeKey(secrets, telemetry)
  // The folded login ID: `Alice@` and `alice@` get the same decoy, whatever Descope's matching.
  const mac = async (label: string) =>
    new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`decoy-${label}\n${origin}\n${loginIdKey(loginId)}`)))
  const [length, transports] = CREDENTIAL_KINDS[(await mac('kind'))[0]! % CREDENTIAL_KINDS.length]!
  const id = toBase64Url((await mac('id')).slice(0, length))
  const template = templates.get(origin) ?? {
    challenge: '',
    timeout: DESCOPE_DEFAULT_TIMEOUT_MS,
    rpId: new URL(origin).hostname,
    allowCredentials: [],
    userVerification: 'preferred',
  }
  const publicKey = { ...template, challenge: randomToken(), allowCredentials: [{ type: 'public-key', id, transports }] }
  return { transactionId: randomToken(), options: JSON.stringify({ publicKey }), create: false }
}
