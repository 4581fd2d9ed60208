/**
 * The edge secret (src/edge-secret.ts) at first use: isolates race to create it,
 * and KV takes one write per key per second or may refuse writes for the day. A secret made up
 * per isolate would change every answer it keys (T60): a refused write takes the secret another
 * isolate stored, else the bound `EDGE_SECRET`, else answers 503 like any KV fault.
 */
import { env } from 'cloudflare:workers'
import { expect, it } from 'vitest'
import { decoyStart } from '../../src/passkey/decoy'
import { edgeKey } from '../../src/edge-secret'

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

/** The MAC of a fixed input under a key: equal MACs, equal keys. */
async function computeMac(key: CryptoKey): Promise<string> {
  return [...new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode('probe')))].join(',')
}

it('should answer 503, as any KV fault, when storing a new secret is refused and no EDGE_SECRET is bound (T60), never a secret of its own', async () => {
  const kv = refusingWrites()
  await expect(edgeKey(kv)).rejects.toMatchObject({ status: 503, code: 'unavailable' })
  await expect(edgeKey({ transactions: kv, edgeSecret: undefined })).rejects.toMatchObject({ status: 503 })
})

it('should use the bound EDGE_SECRET when storing is refused: the same key in every isolate, and the decoys with it (T60)', async () => {
  // Two isolates: each its own memory (one per namespace object), one Worker secret.
  const [a, b] = [refusingWrites(), refusingWrites()]
  const keys = [await edgeKey({ transactions: a, edgeSecret: 'bound-secret' }), await edgeKey({ transactions: b, edgeSecret: 'bound-secret' })]
  expect(await computeMac(keys[0]!)).toBe(await computeMac(keys[1]!))
  const decoy = async (kv: KVNamespace) =>
    JSON.parse((await decoyStart({ transactions: kv, edgeSecret: 'bound-secret' }, 'https://app.example.com', 'ghost@example.com', { log() {} })).options)
      .publicKey.allowCredentials
  expect(await decoy(refusingWrites())).toEqual(await decoy(refusingWrites()))
})

it('should take the secret a racing isolate stored when its own write is refused', async () => {
  const racing = () => {
    let reads = 0
    return {
      get: async () => (reads++ === 0 ? null : 'stored-by-another-isolate'),
      put: async () => Promise.reject(new Error('KV PUT failed: 429 Too Many Requests')),
    } as unknown as KVNamespace
  }
  const settled = { get: async () => 'stored-by-another-isolate' } as unknown as KVNamespace
  expect(await computeMac(await edgeKey(racing()))).toBe(await computeMac(await edgeKey(settled)))
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
