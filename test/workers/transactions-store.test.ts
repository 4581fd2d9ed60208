import { env } from 'cloudflare:workers'
import { describe, expect, it, vi } from 'vitest'
import { AppError } from '../../src/errors'
import { createTransactionStore, toTransactionKey, type NewTransaction } from '../../src/transactions/store'
import { sha256Hex } from '../../src/lib/crypto'
import { Telemetry } from '../../src/telemetry/telemetry'

const ORIGIN = 'https://app.example.com'
/** The store logs through a request's telemetry; here one without metrics or execution context. */
const telemetry = new Telemetry(undefined, undefined)
const RECORD: NewTransaction = { flow: 'signin', loginId: 'alice@example.com', origin: ORIGIN, descopeTransactionId: 'descope-tx-1' }

function storeAt(clock: { now: number }, ttlSeconds = 300, kv: KVNamespace = env.TRANSACTIONS) {
  return createTransactionStore(kv, { ttlSeconds, now: () => clock.now, telemetry })
}

/** Takes the record and waits for its delete, as a finish does before it answers. */
type TransactionStore = ReturnType<typeof createTransactionStore>

async function consume(store: TransactionStore, input: Parameters<TransactionStore['take']>[0]) {
  const { record, deleted } = await store.take(input)
  await deleted
  return record
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (error) {
    if (error instanceof AppError) return `${error.status} ${error.code}`
    throw error
  }
  return 'resolved'
}

describe('transaction store', () => {
  it('should store under tx:<sha256(id)> with the secret hashed, its own exp and no raw ID or secret', async () => {
    const clock = { now: 1_800_000_000_000 }
    const opened = await storeAt(clock).open(RECORD)
    const key = await toTransactionKey(opened.transactionId)
    expect(key).toBe(`tx:${await sha256Hex(opened.transactionId)}`)
    const stored = await env.TRANSACTIONS.get(key)
    expect(stored).not.toContain(opened.transactionId)
    expect(stored).not.toContain(opened.secret)
    expect(JSON.parse(stored!)).toEqual({ v: 1, ...RECORD, exp: clock.now + 300_000, secretHash: await sha256Hex(opened.secret) })
  })

  it('should keep the record in KV a minute past its own expiry (a late finish is told so), and shorten it to the ceremony timeout', async () => {
    const kv = env.TRANSACTIONS
    const put = vi.spyOn(kv, 'put')
    const clock = { now: Date.now() }
    await storeAt(clock, 30, kv).open(RECORD)
    expect(put).toHaveBeenLastCalledWith(expect.stringMatching(/^tx:[0-9a-f]{64}$/), expect.any(String), { expirationTtl: 90 })
    // Descope's options say the ceremony lasts 60 s: the record lives no longer than that.
    const short = await storeAt(clock, 300, kv).open(RECORD, undefined, 60)
    expect(short.ttlSeconds).toBe(60)
    expect(put).toHaveBeenLastCalledWith(expect.any(String), expect.any(String), { expirationTtl: 120 })
    // A longer ceremony never stretches the configured lifetime.
    expect((await storeAt(clock, 300, kv).open(RECORD, undefined, 900)).ttlSeconds).toBe(300)
    put.mockRestore()
  })

  it('should hand out the record once, and refuse it afterwards (T09)', async () => {
    const clock = { now: Date.now() }
    const store = storeAt(clock)
    const { transactionId, secret } = await store.open(RECORD)
    const record = await consume(store, { transactionId, secret, flow: 'signin', origin: ORIGIN })
    expect(record.descopeTransactionId).toBe('descope-tx-1')
    expect(await env.TRANSACTIONS.get(await toTransactionKey(transactionId))).toBeNull()
    expect(await codeOf(consume(store, { transactionId, secret, flow: 'signin', origin: ORIGIN }))).toBe('400 invalid_transaction')
  })

  it('should refuse another flow, origin, secret or user without burning the record', async () => {
    const clock = { now: Date.now() }
    const store = storeAt(clock)
    const { transactionId, secret } = await store.open({ ...RECORD, flow: 'update', userId: 'U1' })
    const base = { transactionId, secret, flow: 'update' as const, origin: ORIGIN, userId: 'U1' }
    for (const wrong of [
      { flow: 'signin' as const },
      { origin: 'https://admin.example.com' },
      { secret: undefined },
      // The first character: the last one of 43 base64url characters has two bits no decoder reads.
      { secret: `${secret.startsWith('A') ? 'B' : 'A'}${secret.slice(1)}` },
      { userId: 'U2' },
    ]) {
      expect(await codeOf(consume(store, { ...base, ...wrong })), JSON.stringify(wrong)).toBe('400 invalid_transaction')
    }
    expect((await consume(store, base)).userId).toBe('U1')
  })

  it('should refuse and delete an expired record by its own exp, before KV would (T07)', async () => {
    const clock = { now: Date.now() }
    const store = storeAt(clock)
    const { transactionId, secret } = await store.open(RECORD)
    clock.now += 300_000
    // With its secret, the browser that started it is told it took too long.
    expect(await codeOf(consume(store, { transactionId, secret, flow: 'signin', origin: ORIGIN }))).toBe('400 transaction_expired')
    expect(await env.TRANSACTIONS.get(await toTransactionKey(transactionId))).toBeNull()
    const other = await store.open(RECORD)
    clock.now += 300_000
    expect(await codeOf(consume(store, { transactionId: other.transactionId, secret: 'x', flow: 'signin', origin: ORIGIN }))).toBe('400 invalid_transaction')
  })

  it('should refuse malformed IDs without touching KV, and corrupt records (T08)', async () => {
    const kv = env.TRANSACTIONS
    const get = vi.spyOn(kv, 'get')
    const store = storeAt({ now: Date.now() }, 300, kv)
    for (const id of ['', '.', '..', 'tx:x', 'a'.repeat(44), 'a'.repeat(42), `${'a'.repeat(42)}=`]) {
      expect(await codeOf(consume(store, { transactionId: id, secret: 's', flow: 'signin', origin: ORIGIN }))).toBe('400 invalid_transaction')
    }
    expect(get).not.toHaveBeenCalled()
    get.mockRestore()
    const id = 'B'.repeat(43)
    await kv.put(await toTransactionKey(id), '{"v":1,"flow":"signin"}')
    expect(await codeOf(consume(store, { transactionId: id, secret: 's', flow: 'signin', origin: ORIGIN }))).toBe('400 invalid_transaction')
  })

  it('should fail closed with 503 when KV hangs (T39)', async () => {
    const hanging = { get: () => new Promise(() => {}), put: () => new Promise(() => {}), delete: () => new Promise(() => {}) } as unknown as KVNamespace
    const store = createTransactionStore(hanging, { ttlSeconds: 300, kvTimeoutMs: 50, telemetry })
    expect(await codeOf(store.open(RECORD))).toBe('503 unavailable')
    expect(await codeOf(consume(store, { transactionId: 'C'.repeat(43), secret: 's', flow: 'signin', origin: ORIGIN }))).toBe('503 unavailable')
  })

  it('should refuse an expired record at once when KV hangs on its clean-up delete', async () => {
    const clock = { now: Date.now() }
    const { transactionId, secret } = await storeAt(clock).open(RECORD)
    const kv = env.TRANSACTIONS
    const deleting = { get: (key: string) => kv.get(key), delete: () => new Promise(() => {}) } as unknown as KVNamespace
    const later = createTransactionStore(deleting, { ttlSeconds: 300, kvTimeoutMs: 50, now: () => clock.now + 301_000, telemetry })
    const answer = codeOf(consume(later, { transactionId, secret, flow: 'signin', origin: ORIGIN }))
    const waited = new Promise((resolve) => setTimeout(() => resolve('still waiting after 2 s'), 2_000))
    expect(await Promise.race([answer, waited])).toBe('400 transaction_expired')
  })

  it('should let only one of two racing consumes through on one isolate (T03)', async () => {
    const store = storeAt({ now: Date.now() })
    const { transactionId, secret } = await store.open(RECORD)
    const input = { transactionId, secret, flow: 'signin' as const, origin: ORIGIN }
    const results = await Promise.all([codeOf(consume(store, input)), codeOf(consume(store, input))])
    expect(results.sort()).toEqual(['400 invalid_transaction', 'resolved'])
  })

  it('should keep the claim when the delete fails: Descope may have been called already', async () => {
    const kv = env.TRANSACTIONS
    const store = storeAt({ now: Date.now() }, 300, kv)
    const { transactionId, secret } = await store.open(RECORD)
    const input = { transactionId, secret, flow: 'signin' as const, origin: ORIGIN }
    const remove = vi.spyOn(kv, 'delete').mockRejectedValueOnce(new Error('KV is down'))
    const { deleted } = await store.take(input)
    expect(await codeOf(deleted)).toBe('503 unavailable')
    remove.mockRestore()
    expect(await codeOf(consume(store, input))).toBe('400 invalid_transaction')
  })
})

describe('transaction store, start not waiting for its write', () => {
  /** KV whose puts wait for `land()` (or fail with `fail()`), to stand for a write still on its way. */
  function slowKv() {
    const kv = env.TRANSACTIONS
    const gates: Array<{ resolve: () => void; reject: (error: Error) => void }> = []
    const wrapped = new Proxy(kv, {
      get(target, property) {
        if (property === 'put') {
          return (...args: Parameters<KVNamespace['put']>) =>
            new Promise<void>((resolve, reject) => gates.push({ resolve: () => target.put(...args).then(resolve, reject), reject }))
        }
        const value = Reflect.get(target, property)
        return typeof value === 'function' ? value.bind(target) : value
      },
    })
    return { kv: wrapped, land: () => gates.shift()!.resolve(), fail: () => gates.shift()!.reject(new Error('KV is down')) }
  }
  const started = () => {
    const pending: Promise<unknown>[] = []
    return { waitUntil: (promise: Promise<unknown>) => void pending.push(promise), settled: () => Promise.all(pending) }
  }

  it('should answer start before the write lands, and finish in this isolate from memory, deleting after the write', async () => {
    const slow = slowKv()
    const store = storeAt({ now: Date.now() }, 300, slow.kv)
    const ctx = started()
    const { transactionId, secret } = await store.open(RECORD, ctx.waitUntil)
    const key = await toTransactionKey(transactionId)
    expect(await env.TRANSACTIONS.get(key)).toBeNull()
    const { record, deleted } = await store.take({ transactionId, secret, flow: 'signin', origin: ORIGIN })
    expect(record.descopeTransactionId).toBe('descope-tx-1')
    slow.land()
    await ctx.settled()
    await deleted
    // The delete waited for the write: nothing is left behind for another isolate.
    expect(await env.TRANSACTIONS.get(key)).toBeNull()
  })

  it('should finish from memory when the write failed, and from KV only once it landed', async () => {
    const slow = slowKv()
    const store = storeAt({ now: Date.now() }, 300, slow.kv)
    const failed = started()
    const first = await store.open(RECORD, failed.waitUntil)
    slow.fail()
    await failed.settled()
    expect((await consume(store, { transactionId: first.transactionId, secret: first.secret, flow: 'signin', origin: ORIGIN })).loginId).toBe(
      'alice@example.com'
    )
    // Once written, KV is the one copy: a record taken elsewhere (deleted from KV) is gone here too.
    const landed = started()
    const second = await store.open(RECORD, landed.waitUntil)
    slow.land()
    await landed.settled()
    await env.TRANSACTIONS.delete(await toTransactionKey(second.transactionId))
    expect(await codeOf(store.take({ transactionId: second.transactionId, secret: second.secret, flow: 'signin', origin: ORIGIN }))).toBe(
      '400 invalid_transaction'
    )
  })
})
