/**
 * The edge secret (src/transactions/edge-secret.ts) at first use: isolates race to create it,
 * and KV takes one write per key per second, so a refused write must not turn into 503s.
 */
import { env } from 'cloudflare:workers'
import { expect, it } from 'vitest'
import { edgeKey } from '../../src/transactions/edge-secret'

/** A namespace where the secret does not exist yet and writes are refused (as KV's 429 would). */
function refusingWrites(): KVNamespace & { puts: number } {
  const kv = {
    puts: 0,
    get: async () => null,
    put: async () => {
      kv.puts++
      throw new Error('KV PUT failed: 429 Too Many Requests')
    },
  }
  return kv as unknown as KVNamespace & { puts: number }
}

it('should give an isolate a secret of its own when storing a new one is refused, and keep it meanwhile', async () => {
  const kv = refusingWrites()
  const first = await edgeKey(kv)
  expect(first.algorithm.name).toBe('HMAC')
  expect(await edgeKey(kv)).toBe(first)
  expect(kv.puts).toBe(1)
})

it('should still answer 503 when KV cannot be read at all and no secret is known', async () => {
  const failing = { get: async () => Promise.reject(new Error('KV GET failed')) } as unknown as KVNamespace
  await expect(edgeKey(failing)).rejects.toMatchObject({ status: 503 })
})

it('should store a new secret and use the stored one afterwards', async () => {
  const key = await edgeKey(env.TRANSACTIONS)
  expect(await env.TRANSACTIONS.get('secret:edge')).toMatch(/^[A-Za-z0-9_-]{43}$/)
  expect(await edgeKey(env.TRANSACTIONS)).toBe(key)
})
