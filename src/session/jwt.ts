/**
 * @module
 * `verifyJwt`: one Descope JWT checked, free of Workers APIs so it runs in Node too: RS256 compact JWS with a
 * `kid`, Descope's issuer, audience when set, `exp`, a user, and `drn` telling a session token
 * from a refresh token (docs/design.md, "Sessions"). Verified tokens are remembered until `exp`
 * and handed out as deep copies; the memory is dropped when the key set changes.
 */
import { jwtVerify, type JWSHeaderParameters, type JWTVerifyOptions } from 'jose'
import { sessionFromClaims } from './claims.ts'
import { clockCache } from '../lib/clock-cache.ts'
import { copyJson } from '../lib/json-copy.ts'
import { MAX_KID_LENGTH, type KeyStore, type LoadScope } from '../keys/key-store.ts'
import type { Session } from './types.ts'

/** Longer tokens are refused before any parsing (docs/threat-model.md, T31). */
const MAX_TOKEN_LENGTH = 8 * 1024

/** Why a token was refused: for logs only, never for the response body. */
type RejectReason =
  | 'too_large'
  | 'malformed'
  | 'algorithm'
  | 'missing_kid'
  | 'unknown_kid'
  | 'signature'
  | 'expired'
  | 'not_yet_valid'
  | 'issuer'
  | 'audience'
  | 'claims'
  | 'token_kind'

export type JwtResult =
  | { ok: true; session: Session }
  | { ok: false; status: 401; code: 'unauthorized'; reason: RejectReason }
  | { ok: false; status: 503; code: 'unavailable'; reason: 'no_keys' }

/** `session` expects `drn: "DS"`; `refresh` expects `drn: "DSR"` (checked before a refresh call). */
type TokenKind = 'session' | 'refresh'

export interface JwtVerifierOptions {
  projectId: string
  /** Required `aud` of session tokens, when set. */
  audience?: string
  clockToleranceSeconds: number
  keys: KeyStore
  /** Clock in epoch milliseconds (tests). */
  now?: () => number
  /** How many verified tokens to remember. Default 4096; 0 disables the memory. */
  cacheSize?: number
}

interface JwtCheckOptions {
  kind?: TokenKind
  /** The request's telemetry, lent to a key fetch this check triggers (its `waitUntil`, its report). */
  scope?: LoadScope
}

export interface JwtVerifier {
  verifyJwt(token: string, options?: JwtCheckOptions): Promise<JwtResult>
}

/** How many verified session tokens a verifier remembers by default. */
const DEFAULT_CACHE_SIZE = 4096
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/
const DRN: Record<TokenKind, string> = { session: 'DS', refresh: 'DSR' }

class Rejected extends Error {
  constructor(readonly reason: RejectReason) {
    super(reason)
  }
}
class NoKeys extends Error {}

interface Remembered {
  session: Session
  generation: number
}

/** A verifier for one configuration. Cheap to call; keep one per configuration. */
export function createJwtVerifier(options: JwtVerifierOptions): JwtVerifier {
  const { projectId, audience, clockToleranceSeconds, keys } = options
  const now = options.now ?? Date.now
  const cacheSize = options.cacheSize ?? DEFAULT_CACHE_SIZE
  const remembered = clockCache<string, Remembered>(Math.max(1, cacheSize))

  function recall(token: string): Session | undefined {
    const entry = remembered.get(token)
    if (!entry) return undefined
    const nowMs = now()
    // Same expiry rule as jose: valid while exp > now - tolerance.
    if (entry.generation === keys.generation && keys.isFresh(nowMs) && entry.session.expiresAt > Math.floor(nowMs / 1000) - clockToleranceSeconds) {
      return entry.session
    }
    remembered.delete(token)
    return undefined
  }

  function remember(token: string, session: Session, generation: number): void {
    if (cacheSize <= 0 || generation !== keys.generation) return
    // Its own copy: the caller gets `session` itself and may edit it.
    remembered.set(token, { session: copyJson(session), generation })
  }

  async function verifyJwt(token: string, { kind = 'session', scope }: JwtCheckOptions = {}): Promise<JwtResult> {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return reject('too_large')
    if (kind === 'session') {
      const known = recall(token)
      if (known) return { ok: true, session: copyJson(known) }
    }
    if (!COMPACT_JWS.test(token)) return reject('malformed')
    // The key set generation the token was checked against: remembered only if still current.
    let generation = keys.generation
    const resolveKey = async (header: JWSHeaderParameters) => {
      const { kid } = header
      if (typeof kid !== 'string' || !kid || kid.length > MAX_KID_LENGTH) throw new Rejected('missing_kid')
      const ready = keys.peek(kid)
      if (ready) return ready
      const found = await keys.get(kid, scope)
      generation = keys.generation
      if ('key' in found) return found.key
      if ('unavailable' in found) throw new NoKeys()
      throw new Rejected('unknown_kid')
    }
    const verifyOptions: JWTVerifyOptions = {
      algorithms: ['RS256'],
      clockTolerance: clockToleranceSeconds,
      // No `sub`: with `empty_claim_policy: delete` it may be gone while `dsub` carries the user (claims.ts requires one of them).
      requiredClaims: ['exp'],
    }
    if (kind === 'session' && audience !== undefined) verifyOptions.audience = audience
    if (options.now) verifyOptions.currentDate = new Date(now())
    try {
      const { payload } = await jwtVerify(token, resolveKey, verifyOptions)
      if (!issuerMatches(payload.iss, projectId)) return reject('issuer')
      if (payload.drn !== DRN[kind]) return reject('token_kind')
      const session = sessionFromClaims(payload, token)
      if (!session) return reject('claims')
      if (kind === 'session') remember(token, session, generation)
      return { ok: true, session }
    } catch (error) {
      if (error instanceof NoKeys) return { ok: false, status: 503, code: 'unavailable', reason: 'no_keys' }
      return reject(toRejectReason(error))
    }
  }

  return { verifyJwt }
}

/**
 * Descope's issuer rule, as its SDKs apply it: the bare project ID (the default), or any issuer
 * whose last path segment is the project ID (`conformance_issuer`: `https://api.descope.com/<pid>`;
 * a custom domain's URL). The signing keys are per project: they are the real guard.
 */
export function issuerMatches(iss: unknown, projectId: string): boolean {
  return typeof iss === 'string' && (iss === projectId || iss.split('/').filter(Boolean).at(-1) === projectId)
}

function reject(reason: RejectReason): JwtResult {
  return { ok: false, status: 401, code: 'unauthorized', reason }
}

/**
 * jose's errors by their documented `code`, not by class: importing jose's `errors` namespace
 * would bring every one of its error classes into the bundle (JWE, JWKS, …).
 */
function toRejectReason(error: unknown): RejectReason {
  if (error instanceof Rejected) return error.reason
  const { code, claim } = (error ?? {}) as { code?: unknown; claim?: unknown }
  if (code === 'ERR_JWT_EXPIRED') return 'expired'
  if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED') {
    if (claim === 'nbf') return 'not_yet_valid'
    if (claim === 'iss') return 'issuer'
    if (claim === 'aud') return 'audience'
    return 'claims'
  }
  if (code === 'ERR_JOSE_ALG_NOT_ALLOWED') return 'algorithm'
  if (code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') return 'signature'
  // JWSInvalid, JWTInvalid, JOSENotSupported, and anything a hostile header makes jose throw.
  return 'malformed'
}
