/**
 * @module
 * The pending-transaction store in Workers KV (docs/storage-schema.md).
 *
 * Start writes one record under `tx:<sha256(transactionId)>`; finish reads it, checks flow,
 * origin, browser binding and the record's own expiry, and deletes it before Descope is called.
 *
 * Trade-off, accepted in writing: KV has no compare-and-set and is eventually consistent across
 * locations. Two finishes racing (or one replayed at another location before the delete has
 * propagated, up to ~60 s) can both read the record. Single use at the edge is therefore best
 * effort; Descope's own single-use transaction is the final guard. The binding cookie limits a
 * replay to the browser that started the ceremony, and an in-isolate claim set stops racing
 * finishes that land on the same isolate.
 */
import { AppError } from '../errors'
import { equalDigests, randomToken, sha256Hex } from '../lib/crypto'
import { isRecord } from '../lib/is-record'
import { withTimeout } from '../lib/timeout'
import type { Telemetry } from '../telemetry/telemetry'

/** Key prefix of pending transactions. Stable across versions: changing it orphans live records. */
const TX_KEY_PREFIX = 'tx:'
/** Record schema version, bumped on any incompatible change of `TransactionRecord`. */
const TX_RECORD_VERSION = 1
/** KV refuses an `expirationTtl` below 60 s ("Invalid expiration_ttl"). */
const KV_MIN_EXPIRATION_TTL_SECONDS = 60
/** Longest wait for one KV operation before failing closed (milliseconds). */
export const KV_TIMEOUT_MS = 5000
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
 * const store = createTransactionStore(config.transactions, { ttlSeconds: 300, telemetry: telemetryOf(c) })
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

  return {
    /** Writes a new record; throws 503 `unavailable` when KV fails (the options are then not returned). */
    async open(input: NewTransaction): Promise<OpenedTransaction> {
      const transactionId = randomToken()
      const secret = randomToken()
      const record: TransactionRecord = {
        v: TX_RECORD_VERSION,
        ...input,
        exp: now() + ttlSeconds * 1000,
        secretHash: await sha256Hex(secret),
      }
      const key = await keyFor(transactionId)
      // KV's TTL only collects garbage; `exp` is what finish checks.
      const expirationTtl = Math.max(KV_MIN_EXPIRATION_TTL_SECONDS, ttlSeconds)
      await guarded('put', () => kv.put(key, JSON.stringify(record), { expirationTtl }))
      return { transactionId, secret, ttlSeconds }
    },

    /**
     * Returns the record and deletes it, or throws 400 `invalid_transaction` (one code for
     * unknown, expired, used, other flow, other origin, other browser) or 503 `unavailable`.
     */
    async consume(input: ConsumeInput): Promise<TransactionRecord> {
      if (!TRANSACTION_ID.test(input.transactionId)) throw invalidTransaction('malformed')
      const key = await keyFor(input.transactionId)
      const stored = await guarded('get', () => kv.get(key))
      if (stored === null) throw invalidTransaction('unknown')
      const record = parseRecord(stored)
      if (!record) throw invalidTransaction('corrupt')
      if (record.exp <= now()) {
        // Clean up early; failing to is harmless since the record is refused either way.
        await kv.delete(key).catch(() => undefined)
        throw invalidTransaction('expired')
      }
      // Ensure the transaction belongs to this route, this origin and this browser.
      if (record.flow !== input.flow) throw invalidTransaction('flow')
      if (record.origin !== input.origin) throw invalidTransaction('origin')
      if (input.secret === undefined || !equalDigests(await sha256Hex(input.secret), record.secretHash)) {
        throw invalidTransaction('binding')
      }
      if (input.userId !== undefined && record.userId !== input.userId) throw invalidTransaction('user')
      // Within one isolate, claiming is synchronous and so atomic: of racing finishes that all
      // read the record, only the first goes on. Across isolates and locations KV stays best effort.
      if (!claim(key, record.exp, now())) throw invalidTransaction('claimed')
      // Consume before Descope is called: if the delete fails, fail closed (and let a retry claim it).
      try {
        await guarded('delete', () => kv.delete(key))
      } catch (error) {
        claimed.delete(key)
        throw error
      }
      return record
    },
  }
}

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
export async function keyFor(transactionId: string): Promise<string> {
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
    throw new AppError('unavailable', {
      message: 'The transaction store is unavailable; try again shortly.',
      headers: { 'Retry-After': String(KV_RETRY_AFTER_SECONDS) },
      cause: error,
    })
  }
}
