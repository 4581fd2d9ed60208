/**
 * @module
 * A software passkey authenticator for tests: it answers Descope's `options` (`{publicKey: …}`,
 * base64url fields) the way a browser plus platform authenticator would, and returns WebAuthn
 * JSON ready to send to a finish endpoint. Pure WebCrypto + tiny-cbor (no Buffer), so it runs in
 * workerd tests and in Node alike.
 */
import { encodeCBOR } from '@levischuck/tiny-cbor'
import type { CBORType } from '@levischuck/tiny-cbor'
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server'
import { base64url as jose } from 'jose'

/** COSE algorithm identifiers (RFC 9053): ES256 = -7, RS256 = -257. */
const COSE_ALG = { ES256: -7, RS256: -257 } as const

/** WebCrypto key types, named without DOM/workerd globals so this file typechecks for Node too. */
type Key = Parameters<typeof crypto.subtle.sign>[1]
interface KeyPair {
  publicKey: Key
  privateKey: Key
}

const FLAG_UP = 0x01
const FLAG_UV = 0x04
const FLAG_AT = 0x40

export interface SoftwareAuthenticatorOptions {
  /** Key type of new credentials. Default `ES256`. */
  alg?: 'ES256' | 'RS256'
  /** `packed` gives a self-attestation signed by the credential key. Default `none`. */
  attestation?: 'none' | 'packed'
  /** Sets the UV flag (user verified, e.g. by biometrics). Default `true`; UP is always set. */
  userVerified?: boolean
}

/** One passkey held by the authenticator. `signCount` may be changed by tests (e.g. to replay a counter). */
export interface SoftwareCredential {
  /** base64url credential ID. */
  id: string
  rpId: string
  /** base64url user handle (`user.id` from the creation options). */
  userHandle: string
  alg: 'ES256' | 'RS256'
  signCount: number
  keys: KeyPair
}

/** The part of Descope's (or any RP's) options object this authenticator reads. */
interface PublicKeyOptions {
  challenge?: unknown
  rp?: { id?: unknown }
  rpId?: unknown
  user?: { id?: unknown }
  pubKeyCredParams?: unknown
  allowCredentials?: unknown
  excludeCredentials?: unknown
}

/**
 * A platform authenticator in memory.
 *
 * @example
 * const authenticator = new SoftwareAuthenticator({ alg: 'RS256', attestation: 'packed' })
 * const start = await descope.webauthn.signUp.start(loginId, origin, name)
 * const response = await authenticator.create(JSON.parse(start.data.options), origin)
 * await descope.webauthn.signUp.finish(start.data.transactionId, JSON.stringify(response))
 */
export class SoftwareAuthenticator {
  readonly alg: 'ES256' | 'RS256'
  readonly attestation: 'none' | 'packed'
  readonly userVerified: boolean
  /** Every credential created so far, newest last. */
  readonly credentials: SoftwareCredential[] = []

  constructor(options: SoftwareAuthenticatorOptions = {}) {
    this.alg = options.alg ?? 'ES256'
    this.attestation = options.attestation ?? 'none'
    this.userVerified = options.userVerified ?? true
  }

  /** `navigator.credentials.create`: a new credential for `options.publicKey.rp.id`. */
  async create(options: unknown, origin: string): Promise<RegistrationResponseJSON> {
    const publicKey = publicKeyOf(options)
    const challenge = requireString(publicKey.challenge, 'publicKey.challenge')
    const rpId = typeof publicKey.rp?.id === 'string' ? publicKey.rp.id : new URL(origin).hostname
    const userHandle = requireString(publicKey.user?.id, 'publicKey.user.id')
    const params = Array.isArray(publicKey.pubKeyCredParams) ? publicKey.pubKeyCredParams : []
    if (params.length > 0 && !params.some((param) => isRecord(param) && param.alg === COSE_ALG[this.alg])) {
      throw new Error(`NotSupportedError: the relying party does not accept ${this.alg}`)
    }
    const excluded = credentialIdsOf(publicKey.excludeCredentials)
    if (this.credentials.some((credential) => credential.rpId === rpId && excluded.includes(credential.id))) {
      throw new Error('InvalidStateError: a credential of this authenticator is excluded')
    }

    const keys = await generateKeys(this.alg)
    const rawId = crypto.getRandomValues(new Uint8Array(32))
    const credential: SoftwareCredential = { id: base64url(rawId), rpId, userHandle, alg: this.alg, signCount: 0, keys }
    const clientDataJSON = clientData('webauthn.create', challenge, origin)
    const cosePublicKey = await coseKey(keys.publicKey, this.alg)
    const attested = concat(new Uint8Array(16), uint16(rawId.length), rawId, cosePublicKey)
    const authData = concat(await sha256(utf8(rpId)), new Uint8Array([this.flags() | FLAG_AT]), uint32(0), attested)

    const attStmt = new Map<string | number, CBORType>()
    if (this.attestation === 'packed') {
      attStmt.set('alg', COSE_ALG[this.alg])
      attStmt.set('sig', await sign(credential, concat(authData, await sha256(clientDataJSON))))
    }
    const attestationObject = encodeCBOR(
      new Map<string | number, CBORType>([
        ['fmt', this.attestation],
        ['attStmt', attStmt],
        ['authData', authData],
      ])
    )
    this.credentials.push(credential)
    const publicKeySpki = new Uint8Array((await crypto.subtle.exportKey('spki', keys.publicKey)) as ArrayBuffer)
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key',
      response: {
        clientDataJSON: base64url(clientDataJSON),
        attestationObject: base64url(attestationObject),
        authenticatorData: base64url(authData),
        transports: ['internal', 'hybrid'],
        publicKeyAlgorithm: COSE_ALG[this.alg],
        publicKey: base64url(publicKeySpki),
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    }
  }

  /**
   * `navigator.credentials.get`: an assertion by a credential from `allowCredentials`, or, when
   * that list is empty, by the newest discoverable credential for `options.publicKey.rpId`.
   */
  async get(options: unknown, origin: string): Promise<AuthenticationResponseJSON> {
    const publicKey = publicKeyOf(options)
    const challenge = requireString(publicKey.challenge, 'publicKey.challenge')
    const rpId = typeof publicKey.rpId === 'string' ? publicKey.rpId : new URL(origin).hostname
    const allowed = credentialIdsOf(publicKey.allowCredentials)
    const candidates = this.credentials.filter((credential) => credential.rpId === rpId && (allowed.length === 0 || allowed.includes(credential.id)))
    const credential = candidates.at(-1)
    if (!credential) throw new Error(`NotAllowedError: no credential for ${rpId}`)

    credential.signCount += 1
    const clientDataJSON = clientData('webauthn.get', challenge, origin)
    const authData = concat(await sha256(utf8(rpId)), new Uint8Array([this.flags()]), uint32(credential.signCount))
    const signature = await sign(credential, concat(authData, await sha256(clientDataJSON)))
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key',
      response: {
        clientDataJSON: base64url(clientDataJSON),
        authenticatorData: base64url(authData),
        signature: base64url(signature),
        userHandle: credential.userHandle,
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    }
  }

  private flags(): number {
    return FLAG_UP | (this.userVerified ? FLAG_UV : 0)
  }
}

/** Encodes bytes as unpadded base64url (what WebAuthn JSON and Descope use): jose's, the tests' one encoder. */
export const base64url = (bytes: Uint8Array): string => jose.encode(bytes)

/** Decodes base64url, padded or not. */
export const fromBase64url = (text: string): Uint8Array => jose.decode(text)

function publicKeyOf(options: unknown): PublicKeyOptions {
  const parsed: unknown = typeof options === 'string' ? JSON.parse(options) : options
  if (!isRecord(parsed) || !isRecord(parsed.publicKey)) throw new TypeError('options must be {publicKey: …}')
  return parsed.publicKey as PublicKeyOptions
}

function credentialIdsOf(list: unknown): string[] {
  if (!Array.isArray(list)) return []
  // Re-encode so padded or unpadded ids compare equal.
  return list.flatMap((entry) => (isRecord(entry) && typeof entry.id === 'string' ? [base64url(fromBase64url(entry.id))] : []))
}

function clientData(type: string, challenge: string, origin: string): Uint8Array<ArrayBuffer> {
  return utf8(JSON.stringify({ type, challenge, origin, crossOrigin: false }))
}

async function generateKeys(alg: 'ES256' | 'RS256'): Promise<KeyPair> {
  const params =
    alg === 'ES256'
      ? { name: 'ECDSA', namedCurve: 'P-256' }
      : { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }
  return (await crypto.subtle.generateKey(params, true, ['sign', 'verify'])) as unknown as KeyPair
}

/** The credential public key as a COSE_Key map (WebAuthn §6.5.1.1). */
async function coseKey(key: Key, alg: 'ES256' | 'RS256'): Promise<Uint8Array> {
  const jwk = (await crypto.subtle.exportKey('jwk', key)) as { x?: string; y?: string; n?: string; e?: string }
  const map =
    alg === 'ES256'
      ? new Map<number, CBORType>([
          [1, 2],
          [3, COSE_ALG.ES256],
          [-1, 1],
          [-2, fromBase64url(jwk.x ?? '')],
          [-3, fromBase64url(jwk.y ?? '')],
        ])
      : new Map<number, CBORType>([
          [1, 3],
          [3, COSE_ALG.RS256],
          [-1, fromBase64url(jwk.n ?? '')],
          [-2, fromBase64url(jwk.e ?? '')],
        ])
  return encodeCBOR(map)
}

/** Signs as WebAuthn expects: ECDSA as an ASN.1 DER sequence (WebCrypto gives raw r‖s). */
async function sign(credential: SoftwareCredential, data: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const params = credential.alg === 'ES256' ? { name: 'ECDSA', hash: 'SHA-256' } : { name: 'RSASSA-PKCS1-v1_5' }
  const signature = new Uint8Array(await crypto.subtle.sign(params, credential.keys.privateKey, data))
  return credential.alg === 'ES256' ? derSignature(signature) : signature
}

function derSignature(raw: Uint8Array): Uint8Array {
  const integer = (bytes: Uint8Array) => {
    let start = 0
    while (start < bytes.length - 1 && bytes[start] === 0) start++
    let value: Uint8Array = bytes.slice(start)
    // A leading 1 bit would read as negative: prefix a zero byte.
    if ((value[0] ?? 0) & 0x80) value = concat(new Uint8Array([0]), value)
    return concat(new Uint8Array([0x02, value.length]), value)
  }
  const body = concat(integer(raw.slice(0, 32)), integer(raw.slice(32)))
  return concat(new Uint8Array([0x30, body.length]), body)
}

async function sha256(data: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', data))
}

function utf8(text: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(text) as Uint8Array<ArrayBuffer>
}

function uint16(value: number): Uint8Array {
  return new Uint8Array([(value >> 8) & 0xff, value & 0xff])
}

function uint32(value: number): Uint8Array {
  return new Uint8Array([(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff])
}

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

function requireString(value: unknown, name: string): string {
  if (typeof value !== 'string' || !value) throw new TypeError(`${name} must be a non-empty string`)
  return value
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
