/**
 * @module
 * The pending-transaction store in Workers KV: start writes `tx:<sha256(transactionId)>`, finish
 * reads, checks, claims and deletes it, and answers only once the delete is done. Single use at
 * the edge is best effort (KV has no compare-and-set); Descope's own single-use transaction is the
 * final guard. docs/storage-schema.md has the record, the waits and the trade-off.
 */
import { AppError } from '../errors.ts'
import { equalDigests, randomToken, sha256Hex } from '../lib/crypto.ts'
import { isRecord } from '../lib/is-record.ts'
import { withTimeout } from '../lib/timeout.ts'
import type { Telemetry } from '../telemetry/telemetry.ts'
import { clockCache } from '../lib/clock-cache.ts'
import { pollUntil } from '../lib/poll.ts'

/** Key prefix of pending transactions. Stable across versions: changing it orphans live records. */
const TX_KEY_PREFIX = 'tx:'
/** Record schema version, bumped on any incompatible change of `TransactionRecord`. */
const TX_RECORD_VERSION = 1
/** KV refuses an `expirationTtl` below 60 s ("Invalid expiration_ttl"). */
const KV_MIN_EXPIRATION_TTL_SECONDS = 60
/** Longest wait for one KV operation before failing closed (milliseconds). */
export const KV_TIMEOUT_MS = 5000
/**
 * Seconds a record (and its binding cookie) outlive `exp`: a finish that comes back a little too
 * late is told so (`transaction_expired`), not that its passkey was wrong.
 */
export const LATE_FINISH_GRACE_SECONDS = 60
/** Seconds a client should wait before retrying when KV failed. */
const KV_RETRY_AFTER_SECONDS = 1

/** Transaction IDs this store hands out: 32 random bytes, base64url. */
const TRANSACTION_ID = /^[A-Za-z0-9_-]{43}$/

export type Flow = 'signup' | 'signin' | 'signup-in' | 'update'

/** What start knows and finish needs; stored as JSON under `tx:<hash>`. */
export interface TransactionRecord {
  v: typeof TX_RECORD_VERSION
  flow: Flow
  /** The canonical login ID Descope received. */
  loginId: string
  /** The configured origin Descope received; finish must come from the same one. */
  origin: string
  /** Descope's transaction ID: never leaves the Worker. */
  descopeTransactionId: string
  /** signup-in only: Descope's `create` flag, which picks the finish to call. */
  create?: boolean
  /** update (and step-up) only: the session user the ceremony belongs to. */
  userId?: string
  /** Own expiry (epoch milliseconds): KV's TTL is coarse and at least 60 s. */
  exp: number
  /** SHA-256 (hex) of the binding secret the browser holds in its cookie. */
  secretHash: string
}

export type NewTransaction = Omit<TransactionRecord, 'v' | 'exp' | 'secretHash'>

interface OpenedTransaction {
  /** The browser's opaque handle (not Descope's ID). */
  transactionId: string
  /** The binding secret for the browser's cookie. */
  secret: string
  /** Seconds until the record expires. */
  ttlSeconds: number
}

/** Lets work outlive the request (the request's `ctx.waitUntil`). */
type WaitUntil = (promise: Promise<unknown>) => void

/** A taken transaction: its record, and the KV delete to wait for before answering. */
interface TakenTransaction {
  record: TransactionRecord
  /** Settles when the record is gone from KV; rejects with 503 `unavailable` when it could not be deleted. */
  deleted: Promise<void>
}

interface ConsumeInput {
  transactionId: string
  /** The binding cookie's value, if the browser sent one. */
  secret: string | undefined
  flow: Flow
  origin: string
  /** When set (add-device finish), the record must belong to this session user. */
  userId?: string
}

interface TransactionStoreOptions {
  /** Lifetime of a pending transaction (seconds); the KV TTL is clamped to at least 60. */
  ttlSeconds: number
  /** Clock (epoch milliseconds); `Date.now` unless injected. */
  now?: () => number
  /** Bound of each KV operation (milliseconds); default `KV_TIMEOUT_MS`. */
  kvTimeoutMs?: number
  /** Where the store's failures are logged: the request's telemetry. */
  telemetry: Pick<Telemetry, 'log'>
}

/**
 * @example
 * const store = createTransactionStore(config.transactions, { ttlSeconds: 300, telemetry: getTelemetry(c) })
 * const { transactionId, secret } = await store.open({ flow: 'signin', loginId, origin, descopeTransactionId })
 * const record = await store.consume({ transactionId, secret, flow: 'signin', origin })
 */
export function createTransactionStore(kv: KVNamespace, options: TransactionStoreOptions) {
  const { ttlSeconds, telemetry } = options
  const now = options.now ?? (() => Date.now())
  const guarded = <T>(operation: string, run: () => Promise<T>) => bounded(telemetry, operation, run, options.kvTimeoutMs ?? KV_TIMEOUT_MS)
  const invalidTransaction = (reason: string): AppError => {
    // The reason goes to the log only: on the wire every failure looks the same (no oracle).
    telemetry.log('warn', 'invalid_transaction', { reason })
    return new AppError('invalid_transaction')
  }
  /** The stored record, or 400 `invalid_transaction` when there is none or it cannot be read. */
  const parseStored = (stored: string | null): TransactionRecord => {
    if (stored === null) throw invalidTransaction('unknown')
    const record = parseRecord(stored)
    if (!record) throw invalidTransaction('corrupt')
    return record
  }

  return {
    /**
     * Writes a new record, living the store's `ttlSeconds` or `lifetimeSeconds` when shorter (the
     * ceremony's own timeout). With `waitUntil`, the write outlives the request and is not awaited
     * (the record waits in this isolate until it lands); without, it is awaited and a KV failure
     * throws 503 `unavailable`.
     */
    async open(input: NewTransaction, waitUntil?: WaitUntil, lifetimeSeconds = ttlSeconds): Promise<OpenedTransaction> {
      const transactionId = randomToken()
      const secret = randomToken()
      const lifetime = Math.max(1, Math.min(ttlSeconds, Math.floor(lifetimeSeconds)))
      const record: TransactionRecord = {
        v: TX_RECORD_VERSION,
        ...input,
        exp: now() + lifetime * 1000,
        secretHash: await sha256Hex(secret),
      }
      const key = await toTransactionKey(transactionId)
      // KV's TTL only collects garbage; `exp` is what finish checks.
      const expirationTtl = Math.max(KV_MIN_EXPIRATION_TTL_SECONDS, lifetime + LATE_FINISH_GRACE_SECONDS)
      const entry: Unwritten = { record, writing: true }
      unwritten.set(key, entry)
      // Landed: from now on KV is the one copy, for this isolate as for every other. Not written
      // (logged by `guarded`): this isolate's copy stays the only one, until `exp`.
      const written = guarded('put', () => kv.put(key, JSON.stringify(record), { expirationTtl }))
        .then(() => unwritten.delete(key))
        .finally(() => {
          entry.writing = false
        })
      if (waitUntil) waitUntil(written.catch(() => undefined))
      else await written
      return { transactionId, secret, ttlSeconds: lifetime }
    },

    /**
     * Takes the record: checks it, claims it and starts its delete. Throws 400
     * `invalid_transaction` (one code for unknown, used, other flow, other origin, other
     * browser, other user), 400 `transaction_expired` to the browser that started it when it came
     * back too late, or 503 `unavailable` when KV cannot be read. The caller may call
     * Descope while `deleted` is pending, and must wait for it before answering.
     */
    async take(input: ConsumeInput): Promise<TakenTransaction> {
      if (!TRANSACTION_ID.test(input.transactionId)) throw invalidTransaction('malformed')
      const key = await toTransactionKey(input.transactionId)
      // Not yet written (or never): only this isolate holds the record, so only it can answer.
      const entry = unwritten.get(key)
      const record = entry?.record ?? parseStored(await guarded('get', () => kv.get(key)))
      const bound = input.secret !== undefined && equalDigests(await sha256Hex(input.secret), record.secretHash)
      if (record.exp <= now()) {
        // Clean up early, within the KV time limit; failing to is harmless since the record is
        // refused either way (and KV's own TTL removes it).
        if (!entry) await guarded('delete', () => kv.delete(key)).catch(() => undefined)
        // Only the browser that started it learns why: to anyone else it is one more invalid transaction.
        if (!bound) throw invalidTransaction('expired')
        telemetry.log('warn', 'invalid_transaction', { reason: 'expired' })
        throw new AppError('transaction_expired')
      }
      // Ensure the transaction belongs to this route, this origin and this browser.
      if (record.flow !== input.flow) throw invalidTransaction('flow')
      if (record.origin !== input.origin) throw invalidTransaction('origin')
      if (!bound) throw invalidTransaction('binding')
      if (input.userId !== undefined && record.userId !== input.userId) throw invalidTransaction('user')
      // Within one isolate, claiming is synchronous and so atomic: of racing finishes that all
      // read the record, only the first goes on. Across isolates and locations KV stays best effort.
      if (!claim(key, record.exp, now())) throw invalidTransaction('claimed')
      if (entry) unwritten.delete(key)
      const deleted = (async () => {
        // A write still under way would bring the record back after the delete: let it land first.
        if (entry?.writing) await pollUntil(() => !entry.writing, (options.kvTimeoutMs ?? KV_TIMEOUT_MS) + 500)
        await guarded('delete', () => kv.delete(key))
      })()
      return { record, deleted }
    },
  }
}

/** A record whose write has not landed (or failed), kept by the isolate that started it. */
interface Unwritten {
  record: TransactionRecord
  writing: boolean
}

/**
 * Records of this isolate not (yet) in KV, by key. Small: an entry leaves when its write lands;
 * bounded, should KV fail under a flood of starts (a dropped one is then only lost to this isolate).
 */
const unwritten = clockCache<string, Unwritten>(4096)

/** Keys consumed by this isolate, with their records' expiry (epoch ms). */
const claimed = new Map<string, number>()
/** Above this many claims, expired ones are swept (bounds the isolate's memory). */
const CLAIMS_SWEEP_SIZE = 1024

function claim(key: string, exp: number, nowMs: number): boolean {
  if (claimed.has(key)) return false
  if (claimed.size >= CLAIMS_SWEEP_SIZE) {
    for (const [other, otherExp] of claimed) if (otherExp <= nowMs) claimed.delete(other)
  }
  claimed.set(key, exp)
  return true
}

/** The KV key of a transaction: user input never addresses KV directly. */
export async function toTransactionKey(transactionId: string): Promise<string> {
  return TX_KEY_PREFIX + (await sha256Hex(transactionId))
}

function parseRecord(stored: string): TransactionRecord | undefined {
  let value: unknown
  try {
    value = JSON.parse(stored)
  } catch {
    return undefined
  }
  if (!isRecord(value)) return undefined
  const record = value as Partial<TransactionRecord>
  const valid =
    record.v === TX_RECORD_VERSION &&
    typeof record.flow === 'string' &&
    typeof record.loginId === 'string' &&
    typeof record.origin === 'string' &&
    typeof record.descopeTransactionId === 'string' &&
    typeof record.exp === 'number' &&
    typeof record.secretHash === 'string'
  return valid ? (record as TransactionRecord) : undefined
}

/** Runs one KV operation with a time bound; any failure becomes 503 `unavailable`. */
export async function bounded<T>(telemetry: Pick<Telemetry, 'log'>, operation: string, run: () => Promise<T>, timeoutMs: number): Promise<T> {
  try {
    return await withTimeout(run(), timeoutMs, 'KV timed out')
  } catch (error) {
    telemetry.log('error', 'kv_failure', { operation, name: error instanceof Error ? error.name : 'unknown' })
    throw kvUnavailable(error)
  }
}

/** The 503 of every KV fault. */
export function kvUnavailable(cause?: unknown): AppError {
  return new AppError('unavailable', {
    message: 'The transaction store is unavailable; try again shortly.',
    headers: { 'Retry-After': String(KV_RETRY_AFTER_SECONDS) },
    cause,
  })
}
