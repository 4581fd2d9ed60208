/**
 * @module
 * Sign-in start for a login ID Descope refuses (unknown user, no passkey here) answers like a
 * known one (W3C WebAuthn L3 §14.6.2, "Username Enumeration"): `200 {transactionId, options}`
 * with plausible options, the same shape as the last real answer for that origin, a fresh random
 * challenge and one credential ID derived from the login ID with a keyed hash (SHA-256 of secret, origin, ID), so asking twice
 * gives the same ID. Finishing it fails at Descope like any bad assertion (401
 * `authentication_failed`). The secret is random, kept in KV under `decoy:key`, written by the
 * edge only (transaction keys are `tx:<sha256>`, so no request can address it).
 */
import { toBase64Url } from '../lib/base64url'
import { randomToken, sha256 } from '../lib/crypto'
import { loginIdKey } from './login-id'

/** Descope's default WebAuthn `timeout` (5 minutes), for a decoy before any real answer was seen. */
const DESCOPE_DEFAULT_TIMEOUT_MS = 300_000
/** KV key of the decoy secret; transaction keys are `tx:<sha256>`, so no request can address it. */
const SECRET_KEY = 'decoy:key'

/** The last real sign-in options per origin, as a template (isolate memory, a few entries). */
const shapes = new Map<string, Record<string, unknown>>()
let secret: string | null = null

/** Keeps the shape of real sign-in options (the `options` string Descope returned). */
export function rememberShape(origin: string, options: string): void {
  try {
    const { publicKey } = JSON.parse(options)
    if (publicKey.allowCredentials[0].id) shapes.set(origin, publicKey)
  } catch {
    // The route refuses unparseable options itself.
  }
}

/** A Descope-like start answer for a refused login ID: a random transaction and plausible options. */
export async function decoyStart(kv: KVNamespace, origin: string, loginId: string) {
  const shape = shapes.get(origin)
  const first = (shape?.allowCredentials as Array<Record<string, unknown>> | undefined)?.[0]
  // A keyed hash: the secret comes first, and the output is never checked, only looked at.
  // The folded login ID: `Alice@` and `alice@` get the same decoy, whatever Descope's matching.
  const mac = await sha256(`${await secretOf(kv)}\n${origin}\n${loginIdKey(loginId)}`)
  // Two MACs' worth of base64url covers the credential ID lengths we copy.
  const id = toBase64Url(new Uint8Array([...mac, ...[...mac].reverse()])).slice(0, String(first?.id ?? randomToken()).length)
  // Before this isolate has seen a real answer, Descope's defaults stand in.
  const publicKey = {
    ...(shape ?? { timeout: DESCOPE_DEFAULT_TIMEOUT_MS, rpId: new URL(origin).hostname, userVerification: 'preferred' }),
    challenge: randomToken(),
    allowCredentials: [{ ...(first ?? { type: 'public-key' }), id }],
  }
  return { transactionId: randomToken(), options: JSON.stringify({ publicKey }), create: false }
}

async function secretOf(kv: KVNamespace): Promise<string> {
  secret ??= await kv.get(SECRET_KEY)
  if (!secret) {
    // Two isolates racing here may write different keys; the last write wins within a minute.
    secret = randomToken()
    await kv.put(SECRET_KEY, secret)
  }
  return secret
}
