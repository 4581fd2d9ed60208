/**
 * @module
 * The WebAuthn side: RP ID rules, the `options` strings Descope returns (docs/descope-contract.md §4), and real
 * verification of registrations and assertions with @simplewebauthn/server (challenge, origin,
 * RP ID hash, signature, counter, user presence and, when asked for, user verification).
 */
import { verifyAuthenticationResponse, verifyRegistrationResponse } from '@simplewebauthn/server'
import type { AuthenticationResponseJSON, RegistrationResponseJSON, VerifiedAuthenticationResponse, VerifiedRegistrationResponse } from '@simplewebauthn/server'
import { base64url, fromBase64url, normalizeBase64url } from './encoding'
import { invalidRequest, missingArgument } from './errors'
import { isRecord } from './request'
import type { StoredCredential, Transaction } from './store'

const COSE_ES256 = -7
const COSE_RS256 = -257

/**
 * The RP ID for an origin: its hostname ("Descope parses the top level domain from the origin"),
 * or `configured` (EMULATOR_RP_ID), of which the origin's host must then be the domain or a subdomain.
 */
export function rpIdFor(origin: string | undefined, configured: string | undefined): string {
  if (!origin) throw missingArgument('origin')
  let url: URL
  try {
    url = new URL(origin)
  } catch {
    throw invalidRequest('Origin is not a valid URL')
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== origin.replace(/\/$/, '')) {
    throw invalidRequest('Origin must be a scheme, host and optional port')
  }
  if (!configured) return url.hostname
  if (!hostWithin(url.hostname, configured)) throw invalidRequest('Origin is not within the configured domain')
  return configured
}

/** Whether `host` is `rpId` or a subdomain of it (the WebAuthn RP ID rule). */
export function hostWithin(host: string, rpId: string): boolean {
  return host === rpId || host.endsWith(`.${rpId}`)
}

/** `passkeyOptions` as core-js sends them (docs/descope-contract.md §3.1), narrowed. */
export interface PasskeyOptions {
  authenticatorAttachment?: 'platform' | 'cross-platform'
  residentKey?: 'discouraged' | 'preferred' | 'required'
  userVerification: 'required' | 'preferred' | 'discouraged'
  attestation: 'none' | 'indirect' | 'direct'
}

export function readPasskeyOptions(value: Record<string, unknown>): PasskeyOptions {
  const selection = isRecord(value.authenticatorSelection) ? value.authenticatorSelection : {}
  const pick = <const T extends string>(input: unknown, allowed: readonly T[], fallback: NoInfer<T>): T =>
    allowed.includes(input as T) ? (input as T) : fallback
  const attachment = selection.authenticatorAttachment
  return {
    // Descope spells it `crossplatform`; `any` means no preference.
    authenticatorAttachment:
      attachment === 'crossplatform' || attachment === 'cross-platform' ? 'cross-platform' : attachment === 'any' ? undefined : 'platform',
    residentKey: pick(selection.residentKey, ['discouraged', 'preferred', 'required'], 'required'),
    userVerification: pick(value.userVerification ?? selection.userVerification, ['required', 'preferred', 'discouraged'], 'preferred'),
    attestation: pick(value.attestation, ['none', 'indirect', 'direct'], 'none'),
  }
}

/** Creation options, as Descope's JSON string `{"publicKey": …}`. */
export function creationOptions(input: {
  rpId: string
  challenge: string
  handle: string
  loginId: string
  displayName: string
  exclude: StoredCredential[]
  passkey: PasskeyOptions
  /** The transaction's lifetime (setting `transaction_seconds`), as the WebAuthn `timeout`. */
  seconds: number
}): string {
  const { rpId, challenge, handle, loginId, displayName, exclude, passkey, seconds } = input
  return JSON.stringify({
    publicKey: {
      rp: { name: 'Descope emulator', id: rpId },
      user: { name: loginId, displayName: displayName || loginId, id: handle },
      challenge,
      pubKeyCredParams: [
        { type: 'public-key', alg: COSE_ES256 },
        { type: 'public-key', alg: COSE_RS256 },
      ],
      timeout: seconds * 1000,
      excludeCredentials: exclude.map((credential) => descriptor(credential)),
      authenticatorSelection: {
        ...(passkey.authenticatorAttachment ? { authenticatorAttachment: passkey.authenticatorAttachment } : {}),
        residentKey: passkey.residentKey,
        requireResidentKey: passkey.residentKey === 'required',
        userVerification: passkey.userVerification,
      },
      attestation: passkey.attestation,
    },
  })
}

/**
 * Request options, as Descope's JSON string `{"publicKey": …}`. With no `allow` list (a sign-in
 * without a login ID) there is no `allowCredentials` at all: the authenticator offers its
 * discoverable credentials for the RP ID.
 */
export function requestOptions(input: { rpId: string; challenge: string; allow: StoredCredential[]; passkey: PasskeyOptions; seconds: number }): string {
  const { rpId, challenge, allow, passkey, seconds } = input
  return JSON.stringify({
    publicKey: {
      challenge,
      timeout: seconds * 1000,
      rpId,
      ...(allow.length > 0 && { allowCredentials: allow.map((credential) => descriptor(credential)) }),
      userVerification: passkey.userVerification,
    },
  })
}

function descriptor(credential: StoredCredential) {
  return { type: 'public-key', id: credential.id, ...(credential.transports ? { transports: credential.transports } : {}) }
}

/** A finish request's credential, narrowed. */
export interface ParsedCredential {
  /** base64url credential ID. */
  id: string
  /** The base64url fields of `response` that verification uses. */
  response: Record<string, string>
  /** `response.userHandle` exactly as sent (base64url, or Swift's raw `V…` handle); assertions only. */
  userHandle?: string
  raw: Record<string, unknown>
}

/**
 * The finish request's `response` (a JSON string, or an object) as WebAuthn JSON with
 * unpadded base64url fields. Unknown keys (Android's extras) are dropped.
 */
export function parseCredential(value: unknown): ParsedCredential {
  let parsed: unknown = value
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value)
    } catch {
      throw invalidRequest('Credential response is not valid JSON')
    }
  }
  if (!isRecord(parsed) || !isRecord(parsed.response)) throw invalidRequest('Credential response is malformed')
  const rawId = typeof parsed.rawId === 'string' ? parsed.rawId : parsed.id
  if (typeof rawId !== 'string' || !rawId) throw invalidRequest('Credential response has no id')
  const response: Record<string, string> = {}
  for (const name of ['clientDataJSON', 'attestationObject', 'authenticatorData', 'signature']) {
    const field = parsed.response[name]
    if (typeof field === 'string') response[name] = normalizeBase64url(field)
  }
  if (!response.clientDataJSON) throw invalidRequest('Credential response has no clientDataJSON')
  const userHandle = typeof parsed.response.userHandle === 'string' && parsed.response.userHandle ? parsed.response.userHandle : undefined
  return { id: normalizeBase64url(rawId), response, ...(userHandle && { userHandle }), raw: parsed }
}

/**
 * Whether an assertion's `userHandle` names `handle`'s user (WebAuthn §7.2 step 6): the handle as
 * base64url (padded or not), or the decoded handle itself, which Swift sends raw (docs/descope-contract.md §4).
 */
export function userHandleMatches(userHandle: string, handle: string): boolean {
  return normalizeBase64url(userHandle) === handle || userHandle === new TextDecoder().decode(fromBase64url(handle))
}

/** Verifies a registration against its transaction; the credential to store. */
export async function verifyRegistration(transaction: Transaction, credential: ParsedCredential, now: number): Promise<Omit<StoredCredential, 'userId'>> {
  const { id, response, raw } = credential
  if (!response.attestationObject) throw invalidRequest('Credential response has no attestationObject')
  const transports = isRecord(raw.response) && Array.isArray(raw.response.transports) ? raw.response.transports.filter((t) => typeof t === 'string') : undefined
  const json = {
    id,
    rawId: id,
    type: 'public-key',
    response: { clientDataJSON: response.clientDataJSON, attestationObject: response.attestationObject },
    clientExtensionResults: {},
  } as RegistrationResponseJSON
  let result: VerifiedRegistrationResponse
  try {
    result = await verifyRegistrationResponse({
      response: json,
      expectedChallenge: transaction.challenge,
      expectedOrigin: transaction.origin,
      expectedRPID: transaction.rpId,
      requireUserVerification: transaction.userVerification === 'required',
      supportedAlgorithmIDs: [COSE_ES256, COSE_RS256],
    })
  } catch (error) {
    throw invalidRequest(`Passkey registration failed: ${reason(error)}`)
  }
  if (!result.verified) throw invalidRequest('Passkey registration failed: the attestation does not verify')
  const { credential: verified } = result.registrationInfo
  return {
    id: verified.id,
    publicKey: base64url(verified.publicKey),
    counter: verified.counter,
    rpId: transaction.rpId,
    transports: transports && transports.length > 0 ? transports : undefined,
    createdTime: now,
  }
}

/** Verifies an assertion by `stored` against its transaction; the new signature counter. */
export async function verifyAssertion(transaction: Transaction, credential: ParsedCredential, stored: StoredCredential): Promise<number> {
  const { id, response } = credential
  if (!response.authenticatorData || !response.signature) throw invalidRequest('Credential response has no signature')
  const json = {
    id,
    rawId: id,
    type: 'public-key',
    // userHandle is checked by the caller against the credential's owner (userHandleMatches).
    response: { clientDataJSON: response.clientDataJSON, authenticatorData: response.authenticatorData, signature: response.signature },
    clientExtensionResults: {},
  } as AuthenticationResponseJSON
  let result: VerifiedAuthenticationResponse
  try {
    result = await verifyAuthenticationResponse({
      response: json,
      expectedChallenge: transaction.challenge,
      expectedOrigin: transaction.origin,
      expectedRPID: transaction.rpId,
      credential: { id: stored.id, publicKey: fromBase64url(stored.publicKey), counter: stored.counter },
      requireUserVerification: transaction.userVerification === 'required',
    })
  } catch (error) {
    throw invalidRequest(`Passkey authentication failed: ${reason(error)}`)
  }
  if (!result.verified) throw invalidRequest('Passkey authentication failed: the signature does not verify')
  return result.authenticationInfo.newCounter
}

/** simplewebauthn's messages name what failed (origin, challenge, counter) without secrets. */
function reason(error: unknown): string {
  return error instanceof Error ? error.message.slice(0, 200) : 'unknown error'
}
