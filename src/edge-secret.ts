/**
 * @module
 * The edge's own secret, the same in every isolate and location and known to no one else: it
 * keys the shared JWKS cache's MAC (keys/shared-key-cache.ts) and the decoys (passkey/decoy.ts).
 * 32 random bytes under `secret:edge` in this Worker's KV namespace, made on first use; when none
 * can be stored or read, `EDGE_SECRET` if bound, else 503 — never a per-isolate one (T60).
 */
import { randomToken } from './lib/crypto.ts'
import type { Telemetry } from './telemetry/telemetry.ts'
import { bounded, KV_TIMEOUT_MS, kvUnavailable } from './transactions/store.ts'

const EDGE_SECRET_KEY = 'secret:edge'
/** How long an isolate uses the secret it read before reading it again. */
const RECHECK_MS = 5 * 60_000
/** How soon an isolate whose own new secret could not be stored reads KV again. */
const UNSTORED_RECHECK_MS = 10_000

/** Per KV binding (one per Worker in production; tests may bind others). */
const memory = new WeakMap<KVNamespace, { secret: string; at: number; key: CryptoKey }>()

/** For callers outside a request (the shared key cache): a KV failure there only means a fetch from Descope. */
const UNLOGGED: Pick<Telemetry, 'log'> = { log() {} }

/** Where the edge secret comes from: the Worker's KV namespace (the `Config`), with the `EDGE_SECRET` Worker secret if bound; or the namespace alone. */
export type EdgeSecretSource = { transactions: KVNamespace; edgeSecret?: string | undefined } | KVNamespace

/**
 * The edge secret as an HMAC-SHA-256 key. Every MAC made with it starts its input with its
 * purpose (`jwks-cache`, `decoy-…`), so one use can never stand for another. Throws 503
 * `unavailable` (as the transaction store does, logged as `kv_failure`) when KV cannot be read
 * and this isolate has never had the secret, or when KV refuses to store a new one and no
 * `EDGE_SECRET` is bound; a failed re-read keeps the secret already known.
 */
export async function edgeKey(source: EdgeSecretSource, telemetry = UNLOGGED, timeoutMs = KV_TIMEOUT_MS): Promise<CryptoKey> {
  const kv = getKvNamespace(source)
  const edgeSecret = 'transactions' in source ? source.edgeSecret : undefined
  const now = Date.now()
  let state = memory.get(kv)
  if (!state || now - state.at >= RECHECK_MS) {
    try {
      let secret = await bounded(telemetry, 'get', () => kv.get(EDGE_SECRET_KEY), timeoutMs)
      let at = now
      if (!secret) {
        const made = randomToken()
        // Isolates racing at first use each write theirs, and KV takes one write per key per
        // second: after a refused write, the one a racing isolate stored may be readable.
        const stored = await bounded(telemetry, 'put', () => kv.put(EDGE_SECRET_KEY, made), timeoutMs).then(
          () => true,
          () => false
        )
        secret = stored ? made : ((await bounded(telemetry, 'get', () => kv.get(EDGE_SECRET_KEY), timeoutMs)) ?? fallbackSecret(edgeSecret))
        // Not stored by us: read KV again soon, to move to the stored secret once there is one.
        if (!stored) at = now - RECHECK_MS + UNSTORED_RECHECK_MS
      }
      const key =
        state?.secret === secret
          ? state.key
          : await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
      state = { secret, at, key }
    } catch (error) {
      if (!state) throw error
      // Keep the secret we had; try KV again at the next re-check.
      state = { ...state, at: now }
    }
    memory.set(kv, state)
  }
  return state.key
}

/** The KV namespace of a source. */
export function getKvNamespace(source: EdgeSecretSource): KVNamespace {
  return 'transactions' in source ? source.transactions : source
}

/** The secret derived from `EDGE_SECRET` (prefixed, so it never equals a stored one), or the 503 of a KV fault. */
function fallbackSecret(edgeSecret: string | undefined): string {
  if (edgeSecret) return `edge-secret\n${edgeSecret}`
  throw kvUnavailable()
}
