/**
 * @module
 * Descope's signing keys for one JWKS source, imported once and kept per isolate: a warm isolate
 * verifies with no I/O. A cold one reads the location's shared cache, then Descope, one fetch per
 * cold burst (requests poll, never await each other: lib/poll.ts); an unknown `kid` re-fetches at
 * most once per cooldown; a failure keeps the last good keys. docs/design.md, "Sessions".
 */
import type { CryptoKey } from 'jose'
import { DescopeError } from '../descope/errors.ts'
import { isRecord } from '../lib/is-record.ts'
import { withTimeout } from '../lib/timeout.ts'
import type { KeySetFetch } from '../telemetry/key-set-fetch.ts'
import { pollUntil } from '../lib/poll.ts'
import type { SharedKeyCache } from './shared-key-cache.ts'

export interface KeyStoreOptions {
  /** Fetches the JWKS document (`{keys: [...]}`) from Descope. */
  fetchKeys: () => Promise<unknown>
  /** The cross-isolate layer; absent outside workerd. */
  shared?: SharedKeyCache
  /** Clock in epoch milliseconds (tests). */
  now?: () => number
  /** How long a fetched key set is used before it is fetched again. Default 5 minutes. */
  maxAgeMs?: number
  /** Minimum time between re-fetches caused by an unknown `kid`. Default 30 s (jose's default). */
  cooldownMs?: number
  /** Pause after a failed fetch before the next attempt. Default 5 s. */
  retryAfterFailureMs?: number
  /** How long a fetch may take before it counts as failed. Default 3 s. */
  fetchTimeoutMs?: number
}

/** Defaults of `KeyStoreOptions` (milliseconds). */
const DEFAULTS = { maxAgeMs: 5 * 60_000, cooldownMs: 30_000, retryAfterFailureMs: 5_000, fetchTimeoutMs: 3_000 }
/** How long past its fetch timeout a load still counts as in flight (a leader's import and write). */
const LOADING_GRACE_MS = 500

/** Longest `kid` accepted, in a token's header and in the JWKS alike. */
export const MAX_KID_LENGTH = 256

type KeyLookup = { key: CryptoKey } | { unknown: true } | { unavailable: true }

/** What the request that triggers a load lends it (the request's `Telemetry`). */
export interface LoadScope {
  /** Keeps the load alive after the response: followers are polling for it. */
  waitUntil(promise: Promise<unknown>): void
  /** Told once per fetch from Descope (not for a set adopted from the shared cache). */
  keySetFetched(fetch: KeySetFetch): void
}

/** How a key set stands for readiness: fresh, kept past its age (Descope failing), or none at all. */
type KeySetState = 'fresh' | 'stale' | 'none'

interface KeySet {
  keys: ReadonlyMap<string, CryptoKey>
  /** `kid → n.e`, to tell whether a new set differs from the current one. */
  fingerprint: string
  fetchedAt: number
}

export class KeyStore {
  /** Bumped whenever the set of keys changes; verified-token caches compare against it. */
  generation = 0
  /** Fetches from Descope and adoptions from the shared cache, for tests and metrics. */
  readonly stats = { originFetches: 0, sharedHits: 0, failures: 0 }

  private current: KeySet | undefined
  private loading: { since: number } | undefined
  private lastUnknownKidFetch = Number.NEGATIVE_INFINITY
  private retryAt = 0
  private readonly now: () => number
  private readonly maxAgeMs: number
  private readonly cooldownMs: number
  private readonly retryAfterFailureMs: number
  private readonly fetchTimeoutMs: number

  constructor(private readonly options: KeyStoreOptions) {
    this.now = options.now ?? Date.now
    this.maxAgeMs = options.maxAgeMs ?? DEFAULTS.maxAgeMs
    this.cooldownMs = options.cooldownMs ?? DEFAULTS.cooldownMs
    this.retryAfterFailureMs = options.retryAfterFailureMs ?? DEFAULTS.retryAfterFailureMs
    this.fetchTimeoutMs = options.fetchTimeoutMs ?? DEFAULTS.fetchTimeoutMs
  }

  /** Forgets everything, as a new isolate would start (tests; the shared cache is kept). */
  reset(): void {
    this.current = undefined
    this.loading = undefined
    this.lastUnknownKidFetch = Number.NEGATIVE_INFINITY
    this.retryAt = 0
    this.generation++
  }

  /** True while the current key set is within its max age: the per-request path needs no I/O. */
  isFresh(now = this.now()): boolean {
    return this.current !== undefined && now - this.current.fetchedAt < this.maxAgeMs
  }

  /** The key for `kid` when it is known and fresh; no I/O, no await. */
  peek(kid: string): CryptoKey | undefined {
    return this.isFresh() ? this.current?.keys.get(kid) : undefined
  }

  /** The key for `kid`, loading or re-fetching the key set when the rules above allow it. */
  async get(kid: string, scope?: LoadScope): Promise<KeyLookup> {
    let attempted = false
    for (;;) {
      const now = this.now()
      const current = this.current
      const key = current?.keys.get(kid)
      const loading = this.isLoading(now)
      if (key && (attempted || loading || this.isFresh(now) || now < this.retryAt)) return { key }
      if (attempted) return answer(current, key)
      if (loading) {
        // Someone else is loading: wait for it on our own timers, then look again (no fetch).
        await this.awaitLoad()
        attempted = true
        continue
      }
      const unknownKid = current !== undefined && this.isFresh(now) && !key
      // After a failure (and for as long as a 429's Retry-After asks) nothing is fetched.
      if (now < this.retryAt) return answer(current, key)
      if (unknownKid) {
        // Decided and claimed in this synchronous step: concurrent forged kids see the cooldown.
        if (now - this.lastUnknownKidFetch < this.cooldownMs) return { unknown: true }
        this.lastUnknownKidFetch = now
      }
      await this.load(unknownKid ? kid : undefined, scope)
      attempted = true
    }
  }

  /**
   * For readiness: loads the key set unless it is fresh (or waits for a load in flight), under
   * the same rules as `get` (one load at a time, a pause after a failure), and says how it stands.
   */
  async ensure(scope?: LoadScope): Promise<KeySetState> {
    const now = this.now()
    if (!this.isFresh(now)) {
      if (this.isLoading(now)) await this.awaitLoad()
      else if (now >= this.retryAt) await this.load(undefined, scope)
    }
    if (this.isFresh()) return 'fresh'
    return this.current ? 'stale' : 'none'
  }

  /** A 429's `Retry-After` (client.ts reads it), at most the key set's age limit: Descope asked for a pause. */
  private rateLimitPauseMs(error: unknown): number {
    if (!(error instanceof DescopeError) || error.kind !== 'rate_limited') return 0
    return Math.min((error.details.retryAfterSeconds ?? 0) * 1000, this.maxAgeMs)
  }

  private isLoading(now: number): boolean {
    return this.loading !== undefined && now - this.loading.since < this.fetchTimeoutMs + LOADING_GRACE_MS
  }

  private awaitLoad(): Promise<boolean> {
    return pollUntil(() => this.loading === undefined, this.fetchTimeoutMs + LOADING_GRACE_MS, this.now)
  }

  /**
   * Loads a key set: from the shared cache when it holds a newer fresh one (with `wantKid`,
   * only if it has that kid), else from Descope. Never throws; a failure keeps the current set.
   */
  private async load(wantKid: string | undefined, scope: LoadScope | undefined): Promise<void> {
    // Synchronous claim: set before the first await.
    const marker = { since: this.now() }
    this.loading = marker
    const originFetches = this.stats.originFetches
    const work = this.fetchSet(wantKid, scope)
    // Keep the fetch alive even if this request's client goes away: followers are polling for it.
    scope?.waitUntil(work.catch(() => undefined))
    let reason: string | undefined
    try {
      await work
      this.retryAt = 0
    } catch (error) {
      this.stats.failures++
      this.retryAt = this.now() + Math.max(this.retryAfterFailureMs, this.rateLimitPauseMs(error))
      reason = describeFetchFailure(error)
    } finally {
      if (this.loading === marker) this.loading = undefined
    }
    // Reported when Descope was asked (not when the shared cache served the set).
    if (this.stats.originFetches !== originFetches) {
      scope?.keySetFetched({ ok: !reason, reason, durationMs: this.now() - marker.since, haveKeys: this.current !== undefined })
    }
  }

  private async fetchSet(wantKid: string | undefined, scope: LoadScope | undefined): Promise<void> {
    const { shared } = this.options
    if (shared) {
      const stored = await shared.read().catch(() => undefined)
      const ours = this.current?.fetchedAt ?? Number.NEGATIVE_INFINITY
      const age = stored ? this.now() - stored.fetchedAt : Number.POSITIVE_INFINITY
      // A set "fetched" in the future would look fresh for longer than it is: never adopted.
      if (stored && stored.fetchedAt > ours && age >= 0 && age < this.maxAgeMs) {
        const set = await importKeySet(stored.keys, stored.fetchedAt)
        if (set && (wantKid === undefined || set.keys.has(wantKid))) {
          this.stats.sharedHits++
          this.adopt(set)
          return
        }
      }
    }
    this.stats.originFetches++
    const document = await withTimeout(this.options.fetchKeys(), this.fetchTimeoutMs, 'jwks_timeout')
    const fetchedAt = this.now()
    const keys = jwksMembers(document)
    const set = await importKeySet(keys, fetchedAt)
    if (!set) throw new Error('no_usable_keys')
    this.adopt(set)
    if (shared) {
      const written = shared.write({ fetchedAt, keys }, this.maxAgeMs / 1000).catch(() => undefined)
      if (scope) scope.waitUntil(written)
      else await written
    }
  }

  private adopt(set: KeySet): void {
    if (set.fingerprint !== this.current?.fingerprint) this.generation++
    this.current = set
  }
}

function answer(current: KeySet | undefined, key: CryptoKey | undefined): KeyLookup {
  if (key) return { key }
  return current ? { unknown: true } : { unavailable: true }
}

const stores = new Map<string, KeyStore>()

/** The isolate's store for one JWKS source (created on first use with these options). */
export function getKeyStore(id: string, create: () => KeyStoreOptions): KeyStore {
  let store = stores.get(id)
  if (!store) {
    store = new KeyStore(create())
    stores.set(id, store)
  }
  return store
}

function jwksMembers(document: unknown): unknown[] {
  if (!isRecord(document)) throw new Error('jwks_not_an_object')
  const keys = document.keys
  if (!Array.isArray(keys)) throw new Error('jwks_without_keys')
  return keys
}

const RS256 = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }
/** Members of a JWKS document looked at; a project has a handful of keys. */
const MAX_JWKS_MEMBERS = 32

/**
 * Imports the usable members: public RSA signing keys with a `kid`, meant for RS256 (or with no
 * `alg`: the verifier pins RS256 anyway). Private members and anything else are skipped.
 * `undefined` when nothing usable is left, which the caller treats as a failed fetch.
 */
async function importKeySet(members: unknown[], fetchedAt: number): Promise<KeySet | undefined> {
  const keys = new Map<string, CryptoKey>()
  const parts: string[] = []
  for (const member of members.slice(0, MAX_JWKS_MEMBERS)) {
    if (!isRecord(member)) continue
    const { kid, kty, n, e, alg, use } = member
    if (kty !== 'RSA' || typeof kid !== 'string' || !kid || kid.length > MAX_KID_LENGTH) continue
    if (typeof n !== 'string' || typeof e !== 'string' || 'd' in member) continue
    if ((alg !== undefined && alg !== 'RS256') || (use !== undefined && use !== 'sig')) continue
    if (keys.has(kid)) continue
    try {
      // WebCrypto directly for the one algorithm allowed: jose's importJWK handles every JWK
      // type and would grow the bundle for nothing here.
      const key = await crypto.subtle.importKey('jwk', { kty, n, e }, RS256, false, ['verify'])
      keys.set(kid, key as CryptoKey)
      parts.push(`${kid}:${n}.${e}`)
    } catch {
      // A malformed member is skipped; the others still count.
    }
  }
  if (keys.size === 0) return undefined
  return { keys, fingerprint: parts.sort().join('|'), fetchedAt }
}

function describeFetchFailure(error: unknown): string {
  if (error instanceof Error) return 'kind' in error && typeof error.kind === 'string' ? `descope_${error.kind}` : error.message.slice(0, 40)
  return 'unknown'
}
