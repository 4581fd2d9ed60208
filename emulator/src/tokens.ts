/**
 * @module
 * The project's RS256 signing keys and its JWTs. Signing and verifying are done by hand with
 * WebCrypto so that `/emulator/:pid/sign` can put any header on a token (a missing `kid`, a
 * foreign `alg`) and verification runs on the emulator's own (offset) clock.
 */
import { base64url, fromBase64url, randomId } from './encoding'
import { isRecord } from './request'

/** A signing key as stored: private JWK (with the public parts in it). */
export interface SigningKey {
  kid: string
  jwk: JsonWebKey
  createdAt: number
}

/** A public key as served at `/v2/keys/:projectId` (docs/descope-contract.md §3.13: `alg` and `kid` are required). */
export interface PublicJwk {
  kty: 'RSA'
  kid: string
  alg: 'RS256'
  use: 'sig'
  n: string
  e: string
}

const RSA = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }
const imported = new Map<string, Promise<CryptoKey>>()

/** A fresh 2048-bit RS256 key with a Descope-looking `SK…` id. */
export async function generateSigningKey(now: number): Promise<SigningKey> {
  const pair = (await crypto.subtle.generateKey({ ...RSA, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) }, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair
  const jwk = (await crypto.subtle.exportKey('jwk', pair.privateKey)) as JsonWebKey
  return { kid: `SK${randomId(27)}`, jwk, createdAt: now }
}

export function publicJwk(key: SigningKey): PublicJwk {
  return { kty: 'RSA', kid: key.kid, alg: 'RS256', use: 'sig', n: key.jwk.n ?? '', e: key.jwk.e ?? '' }
}

/** Signs `header.payload` with RS256, whatever the header says (tests forge odd headers on purpose). */
export async function signJwt(header: Record<string, unknown>, payload: Record<string, unknown>, key: SigningKey): Promise<string> {
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`
  if (header.alg === 'none') return `${input}.`
  const signature = await crypto.subtle.sign(RSA, await privateKey(key), new TextEncoder().encode(input))
  return `${input}.${base64url(new Uint8Array(signature))}`
}

/**
 * The claims of a compact JWS when its header is RS256, its `kid` is one of `keys` and the
 * signature verifies; otherwise undefined. Claims (exp, drn, iss) are the caller's to check.
 */
export async function verifyJwt(token: string, keys: SigningKey[]): Promise<Record<string, unknown> | undefined> {
  const parts = token.split('.')
  if (parts.length !== 3) return undefined
  const [encodedHeader = '', encodedPayload = '', encodedSignature = ''] = parts
  try {
    const header: unknown = JSON.parse(new TextDecoder().decode(fromBase64url(encodedHeader)))
    if (!isRecord(header) || header.alg !== 'RS256' || typeof header.kid !== 'string') return undefined
    const key = keys.find((candidate) => candidate.kid === header.kid)
    if (!key) return undefined
    const valid = await crypto.subtle.verify(
      RSA,
      await publicKey(key),
      fromBase64url(encodedSignature),
      new TextEncoder().encode(`${encodedHeader}.${encodedPayload}`)
    )
    if (!valid) return undefined
    const payload: unknown = JSON.parse(new TextDecoder().decode(fromBase64url(encodedPayload)))
    return isRecord(payload) ? payload : undefined
  } catch {
    return undefined
  }
}

function privateKey(key: SigningKey): Promise<CryptoKey> {
  return cached(`private:${key.kid}`, () => crypto.subtle.importKey('jwk', key.jwk, RSA, false, ['sign']))
}

function publicKey(key: SigningKey): Promise<CryptoKey> {
  const { kty, n, e } = key.jwk
  return cached(`public:${key.kid}`, () => crypto.subtle.importKey('jwk', { kty, n, e }, RSA, false, ['verify']))
}

function cached(id: string, load: () => Promise<CryptoKey>): Promise<CryptoKey> {
  let key = imported.get(id)
  if (!key) {
    key = load()
    imported.set(id, key)
  }
  return key
}
