/**
 * @module
 * Sign-in start for a login ID Descope refuses answers like a known one (W3C WebAuthn L3
 * §14.6.2): `allowCredentials` keyed by the login ID, origin and edge secret only, the same in
 * every isolate and at any time (T61); the other fields from a real answer for the origin, kept
 * in KV, else Descope's defaults. Finishing a decoy fails at Descope like any bad assertion.
 */
import type { StartResponse } from '../descope/types.ts'
import { toBase64Url } from '../lib/base64url.ts'
import { randomToken } from '../lib/crypto.ts'
import type { Telemetry } from '../telemetry/telemetry.ts'
import { type EdgeSecretSource, edgeKey, getKvNamespace } from '../edge-secret.ts'
import { bounded, KV_TIMEOUT_MS } from '../transactions/store.ts'
import { loginIdKey } from './login-id.ts'

/** Descope's default WebAuthn `timeout` (5 minutes), for a decoy before any real answer was seen. */
const DESCOPE_DEFAULT_TIMEOUT_MS = 300_000
/** Credentials as common authenticators make them, `[ID bytes, transports]`: synced passkeys and a security key. */
const CREDENTIAL_KINDS: ReadonlyArray<readonly [number, string[]]> = [
  [16, ['hybrid', 'internal']],
  [20, ['hybrid', 'internal']],
  [32, ['internal', 'hybrid']],
  [32, ['nfc', 'usb']],
]

/** The most credentials a decoy lists (a user with a phone, a laptop and a security key). */
const MAX_CREDENTIALS = 3
/** How long an isolate trusts "KV holds no template for this origin" before reading again. */
const NO_TEMPLATE_RECHECK_MS = 60_000

/**
 * The project's fields of real sign-in options per origin (no user's credentials, as JSON), and
 * whether KV is known to hold the same (`stored`), or when KV was found to hold none (`none`).
 */
const templates = new Map<string, { json: string; stored: boolean } | { none: number }>()

const templateKey = (origin: string) => `template:${origin}`
/** A template write happens after the answer: its failure is no one's error. */
const UNLOGGED: Pick<Telemetry, 'log'> = { log() {} }

/**
 * Keeps the project's fields and key order of real sign-in options (Descope's `options` string),
 * here and in KV: written only when it differs from what KV holds (a KV write per change, not
 * per start). Never throws; the returned write is for `waitUntil`.
 */
export async function rememberTemplate(kv: KVNamespace, origin: string, options: string): Promise<void> {
  let json: string
  try {
    const { publicKey } = JSON.parse(options)
    if (!Array.isArray(publicKey.allowCredentials)) return
    // The user's own values are dropped at once; the keys keep their places.
    json = JSON.stringify({ ...publicKey, challenge: '', allowCredentials: [] })
  } catch {
    // The route refuses unparseable options itself.
    return
  }
  const known = templates.get(origin)
  if (known && 'json' in known && known.json === json && known.stored) return
  const entry = { json, stored: false }
  templates.set(origin, entry)
  try {
    const stored = await bounded(UNLOGGED, 'get', () => kv.get(templateKey(origin)), KV_TIMEOUT_MS)
    if (stored !== json) await bounded(UNLOGGED, 'put', () => kv.put(templateKey(origin), json), KV_TIMEOUT_MS)
    entry.stored = true
  } catch {
    // Tried again at the next real start; this isolate's decoys use it meanwhile.
  }
}

/** A Descope-like start answer for a refused login ID: a random transaction and stable, plausible options. */
export async function decoyStart(secrets: EdgeSecretSource, origin: string, loginId: string, telemetry: Pick<Telemetry, 'log'>): Promise<StartResponse> {
  const key = await edgeKey(secrets, telemetry)
  // The folded login ID: `Alice@` and `alice@` get the same decoy, whatever Descope's matching.
  const mac = async (label: string) =>
    new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`decoy-${label}\n${origin}\n${loginIdKey(loginId)}`)))
  const count = 1 + ((await mac('count'))[0]! % MAX_CREDENTIALS)
  const allowCredentials = []
  for (let index = 0; index < count; index++) {
    const suffix = index === 0 ? '' : `-${index}`
    const [length, transports] = CREDENTIAL_KINDS[(await mac(`kind${suffix}`))[0]! % CREDENTIAL_KINDS.length]!
    allowCredentials.push({ type: 'public-key', id: toBase64Url((await mac(`id${suffix}`)).slice(0, length)), transports })
  }
  const template = await getTemplate(getKvNamespace(secrets), origin, telemetry)
  const publicKey = { ...template, challenge: randomToken(), allowCredentials }
  return { transactionId: randomToken(), options: JSON.stringify({ publicKey }), create: false }
}

/** The template of real answers for the origin: this isolate's, else KV's (a bounded read: a fault is a 503), else Descope's defaults. */
async function getTemplate(kv: KVNamespace, origin: string, telemetry: Pick<Telemetry, 'log'>): Promise<Record<string, unknown>> {
  let known = templates.get(origin)
  if (!known || ('none' in known && Date.now() - known.none >= NO_TEMPLATE_RECHECK_MS)) {
    const json = await bounded(telemetry, 'get', () => kv.get(templateKey(origin)), KV_TIMEOUT_MS)
    known = json === null ? { none: Date.now() } : { json, stored: true }
    templates.set(origin, known)
  }
  if ('json' in known) return JSON.parse(known.json)
  return { challenge: '', timeout: DESCOPE_DEFAULT_TIMEOUT_MS, rpId: new URL(origin).hostname, allowCredentials: [], userVerification: 'preferred' }
}
