import { env } from 'cloudflare:workers'
import { describe, expect, it, vi } from 'vitest'
import { AppError } from '../../src/errors'
import { createTransactionStore, keyFor, type NewTransaction } from '../../src/transactions/store'
import { sha256Hex } from '../../src/lib/crypto'
import { Telemetry } from '../../src/telemetry/telemetry'

const ORIGIN = 'https://app.example.com'
/** The store logs through a request's telemetry; here one without metrics or execution context. */
const telemetry = new Telemetry(undefined, undefined)
const RECORD: NewTransaction = { flow: 'signin', loginId: 'alice@example.com', origin: ORIGIN, descopeTransactionId: 'descope-tx-1' }

function storeAt(clock: { now: number }, ttlSeconds = 300, kv: KVNamespace = env.TRANSACTIONS) {
  return createTransactionStore(kv, { ttlSeconds, now: () => clock.now, telemetry })
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
    const key = await keyFor(opened.transactionId)
    expect(key).toBe(`tx:${await sha256Hex(opened.transactionId)}`)
    const stored = await env.TRANSACTIONS.get(key)
    expect(stored).not.toContain(opened.transactionId)
    expect(stored).not.toContain(opened.secret)
    expect(JSON.parse(stored!)).toEqual({ v: 1, ...RECORD, exp: clock.now + 300_000, secretHash: await sha256Hex(opened.secret) })
  })

  it('should clamp the KV TTL to at least 60 s while keeping its own shorter expiry', async () => {
    const kv = env.TRANSACTIONS
    const put = vi.spyOn(kv, 'put')
    const clock = { now: Date.now() }
    await storeAt(clock, 30, kv).open(RECORD)
    expect(put).toHaveBeenCalledWith(expect.stringMatching(/^tx:[0-9a-f]{64}$/), expect.any(String), { expirationTtl: 60 })
    put.mockRestore()
  })

  it('should hand out the record once, and refuse it afterwards', async () => {
    const clock = { now: Date.now() }
    const store = storeAt(clock)
    const { transactionId, secret } = await store.open(RECORD)
    const record = await store.consume({ transactionId, secret, flow: 'signin', origin: ORIGIN })
    expect(record.descopeTransactionId).toBe('descope-tx-1')
    expect(await env.TRANSACTIONS.get(await keyFor(transactionId))).toBeNull()
    expect(await codeOf(store.consume({ transactionId, secret, flow: 'signin', origin: ORIGIN }))).toBe('400 invalid_transaction')
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
      expect(await codeOf(store.consume({ ...base, ...wrong })), JSON.stringify(wrong)).toBe('400 invalid_transaction')
    }
    expect((await store.consume(base)).userId).toBe('U1')
  })

  it('should refuse and delete an expired record by its own exp, before KV would', async () => {
    const clock = { now: Date.now() }
    const store = storeAt(clock)
    const { transactionId, secret } = await store.open(RECORD)
    clock.now += 300_000
    expect(await codeOf(store.consume({ transactionId, secret, flow: 'signin', origin: ORIGIN }))).toBe('400 invalid_transaction')
    expect(await env.TRANSACTIONS.get(await keyFor(transactionId))).toBeNull()
  })

  it('should refuse malformed IDs without touching KV, and corrupt records', async () => {
    const kv = env.TRANSACTIONS
    const get = vi.spyOn(kv, 'get')
    const store = storeAt({ now: Date.now() }, 300, kv)
    for (const id of ['', '.', '..', 'tx:x', 'a'.repeat(44), 'a'.repeat(42), `${'a'.repeat(42)}=`]) {
      expect(await codeOf(store.consume({ transactionId: id, secret: 's', flow: 'signin', origin: ORIGIN }))).toBe('400 invalid_transaction')
    }
    expect(get).not.toHaveBeenCalled()
    get.mockRestore()
    const id = 'B'.repeat(43)
    await kv.put(await keyFor(id), '{"v":1,"flow":"signin"}')
    expect(await codeOf(store.consume({ transactionId: id, secret: 's', flow: 'signin', origin: ORIGIN }))).toBe('400 invalid_transaction')
  })

  it('should fail closed with 503 when KV hangs', async () => {
    const hanging = { get: () => new Promise(() => {}), put: () => new Promise(() => {}), delete: () => new Promise(() => {}) } as unknown as KVNamespace
    const store = createTransactionStore(hanging, { ttlSeconds: 300, kvTimeoutMs: 50, telemetry })
    expect(await codeOf(store.open(RECORD))).toBe('503 unavailable')
    expect(await codeOf(store.consume({ transactionId: 'C'.repeat(43), secret: 's', flow: 'signin', origin: ORIGIN }))).toBe('503 unavailable')
  })

  it('should let only one of two racing consumes through on one isolate', async () => {
    const store = storeAt({ now: Date.now() })
    const { transactionId, secret } = await store.open(RECORD)
    const input = { transactionId, secret, flow: 'signin' as const, origin: ORIGIN }
    const results = await Promise.all([codeOf(store.consume(input)), codeOf(store.consume(input))])
    expect(results.sort()).toEqual(['400 invalid_transaction', 'resolved'])
  })

  it('should release the claim when the delete fails, so a retry can finish', async () => {
    const kv = env.TRANSACTIONS
    const store = storeAt({ now: Date.now() }, 300, kv)
    const { transactionId, secret } = await store.open(RECORD)
    const input = { transactionId, secret, flow: 'signin' as const, origin: ORIGIN }
    const remove = vi.spyOn(kv, 'delete').mockRejectedValueOnce(new Error('KV is down'))
    expect(await codeOf(store.consume(input))).toBe('503 unavailable')
    remove.mockRestore()
    expect(await codeOf(store.consume(input))).toBe('resolved')
  })
})
