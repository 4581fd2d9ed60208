/**
 * The shared key cache (Cache API) is per zone: another Worker on the zone can write the entry.
 * Planting a key set there must add no key and make no set look fresher than it is.
 */
import { env } from 'cloudflare:workers'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { getKeyStore, KeyStore } from '../../src/keys/key-store'
import { cacheApiKeyCache, sharedKeyCacheUrl } from '../../src/keys/shared-key-cache'
import { edgeKey } from '../../src/edge-secret'
import { EMULATOR_URL, edgeFor } from '../support/edge'

const KEYS = 'GET /v2/keys'
/** src/keys/shared-key-cache.ts and src/edge-secret.ts, spelled out so this file also runs against code without them. */
const MAC_HEADER = 'X-Passkey-Edge-Mac'
const EDGE_SECRET_KEY = 'secret:edge'
const now = () => Math.floor(Date.now() / 1000)
const attacker = await generateKeyPair('RS256', { extractable: true })
const ATTACKER_KID = 'SK2planted'

function project() {
  const edge = edgeFor()
  const claims = { iss: edge.projectId, sub: 'U2victim', iat: now() - 5, exp: now() + 600, drn: 'DS' }
  const hello = async (token: string) => (await edge.fetch('/api/hello', { headers: { Authorization: `Bearer ${token}` } })).status
  const store = () => getKeyStore(`${EMULATOR_URL}|${edge.projectId}`, () => ({ fetchKeys: async () => ({ keys: [] }) }))
  const url = sharedKeyCacheUrl(EMULATOR_URL, edge.projectId)
  const planted = new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: ATTACKER_KID }).sign(attacker.privateKey)
  return { edge, claims, hello, store, url, planted }
}

/** What another Worker on the zone can write: the real keys plus its own, dated `fetchedAt`. */
async function plant(url: string, published: unknown[], headers: Record<string, string>, fetchedAt: number) {
  const extra = { ...(await exportJWK(attacker.publicKey)), kid: ATTACKER_KID, alg: 'RS256', use: 'sig' }
  const body = JSON.stringify({ fetchedAt, keys: [...published, extra] })
  await caches.default.put(url, new Response(body, { headers: { 'Content-Type': 'application/json', 'Cache-Control': 'max-age=31536000', ...headers } }))
}

describe('shared key cache planting (T49)', () => {
  // Dated far ahead, the key store's age check refuses the entry too; dated now, only its MAC can (T49).
  it.each([
    ['a future fetchedAt', () => Date.now() + 365 * 86_400_000],
    ['a current fetchedAt', () => Date.now()],
  ])('should refuse a planted entry with an extra key, %s and no or a wrong MAC (401), and keep accepting real tokens', async (_, fetchedAt) => {
    const { edge, claims, hello, store, url, planted } = project()
    const real = await edge.emulator.sign(claims)
    expect(await hello(real)).toBe(200) // the Worker's own fetch and cache entry
    const published = ((await (await fetch(`${EMULATOR_URL}/v2/keys/${edge.projectId}`)).json()) as { keys: unknown[] }).keys
    const ownMac = (await caches.default.match(url))?.headers.get(MAC_HEADER)
    expect(ownMac).toMatch(/^[0-9a-f]{64}$/)
    const forgedMacs = { none: undefined, copied: ownMac!, garbage: 'ab'.repeat(32) }
    for (const [name, mac] of Object.entries(forgedMacs)) {
      await plant(url, published, mac === undefined ? {} : { [MAC_HEADER]: mac }, fetchedAt())
      store().reset() // a new isolate of the location: it looks in the shared cache first
      expect(await hello(await planted), name).toBe(401)
      expect(await hello(real), name).toBe(200)
      expect(await hello(await edge.emulator.sign({ ...claims, n: name })), name).toBe(200)
    }
    expect(store().stats.sharedHits).toBe(0)
  })

  it('should still share a key set this Worker wrote, between isolates, with no fetch', async () => {
    const { edge, claims, hello, store } = project()
    expect(await hello(await edge.emulator.sign(claims))).toBe(200)
    store().reset()
    expect(await hello(await edge.emulator.sign({ ...claims, n: 1 }))).toBe(200)
    expect(store().stats.sharedHits).toBe(1)
    expect(await edge.emulator.count(KEYS)).toBe(1)
  })

  it("should keep the edge secret in the Worker's own KV namespace", async () => {
    const { edge, claims, hello } = project()
    expect(await hello(await edge.emulator.sign(claims))).toBe(200)
    expect(await env.TRANSACTIONS.get(EDGE_SECRET_KEY)).toMatch(/^[A-Za-z0-9_-]{43}$/)
  })
})

describe('shared key cache entries of any size', () => {
  it('should read back no entry bigger than a key set Descope could send, even one it wrote itself', async () => {
    const { edge } = project()
    const cache = cacheApiKeyCache(EMULATOR_URL, edge.projectId, () => edgeKey(env.TRANSACTIONS))
    const key = { kty: 'RSA', kid: 'K1', n: 'x'.repeat(342), e: 'AQAB' }
    await cache!.write({ fetchedAt: Date.now(), keys: [key] }, 60)
    expect((await cache!.read())?.keys).toEqual([key])
    // 400 keys: ~160 KiB, under Descope's answer cap; 800: ~320 KiB, over it.
    await cache!.write({ fetchedAt: Date.now(), keys: Array.from({ length: 400 }, (_, i) => ({ ...key, kid: `K${i}` })) }, 60)
    expect((await cache!.read())?.keys).toHaveLength(400)
    await cache!.write({ fetchedAt: Date.now(), keys: Array.from({ length: 800 }, (_, i) => ({ ...key, kid: `K${i}` })) }, 60)
    expect(await cache!.read()).toBeUndefined()
  })
})

describe('key store and a shared set dated in the future', () => {
  it('should not adopt a shared set whose fetchedAt lies ahead of its clock (T49)', async () => {
    const clock = { ms: 1_800_000_000_000 }
    let fetches = 0
    const jwk = { ...(await exportJWK(attacker.publicKey)), kid: ATTACKER_KID }
    const store = new KeyStore({
      fetchKeys: async () => {
        fetches++
        return { keys: [] }
      },
      shared: { read: async () => ({ fetchedAt: clock.ms + 60_000, keys: [jwk] }), write: async () => undefined },
      now: () => clock.ms,
    })
    expect(await store.get(ATTACKER_KID)).toEqual({ unavailable: true })
    expect(fetches).toBe(1)
    expect(store.stats.sharedHits).toBe(0)
  })
})
