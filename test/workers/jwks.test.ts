/**
 * The JWKS cache through the real Worker, counting `GET /v2/keys` at the emulator.
 *
 * Levels reached (asserted below):
 * - 1,000 requests on a warm isolate → 1 JWKS fetch in total.
 * - 100 concurrent requests with forged kids → 2 fetches in total (warm-up + one re-fetch).
 * - A cold burst of 16 concurrent first requests → exactly 1 fetch, both when the requests
 *   share the test's request context and when each is its own request (through the Worker's
 *   own service binding, where workerd forbids awaiting another request's promise): followers
 *   poll the isolate's store instead of awaiting the leader (src/lib/poll.ts).
 * - A cold isolate of a location whose Cache API holds the keys → 0 fetches.
 */
import { exports } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { getKeyStore, type KeyStore } from '../../src/keys/key-store'
import { sharedKeyCacheUrl } from '../../src/keys/shared-key-cache'
import { EMULATOR_URL, edgeFor, emulatorControl, type EmulatorFault } from '../support/edge'

/** vitest.config.ts's TEST_PROJECT_ID: the project of the Worker's own bindings. */
const WORKER_PROJECT_ID = 'P2passkeyedgetest0000000000A'
const KEYS = 'GET /v2/keys'
const now = () => Math.floor(Date.now() / 1000)

function claims(projectId: string, overrides: Record<string, unknown> = {}) {
  return { iss: projectId, sub: 'U2jwkstest', iat: now() - 5, exp: now() + 600, drn: 'DS', ...overrides }
}

/** The isolate's key store of a project (already created by the Worker's first request). */
function storeOf(projectId: string): KeyStore {
  return getKeyStore(`${EMULATOR_URL}|${projectId}`, () => {
    throw new Error('the Worker has not created this store yet')
  })
}

/** A project with its own keys and counters, and helpers to call the Worker with tokens. */
function project() {
  const edge = edgeFor()
  const sign = (overrides: Record<string, unknown> = {}, header: Record<string, unknown> = {}) => edge.emulator.sign(claims(edge.projectId, overrides), header)
  const hello = (token: string) => edge.fetch('/api/hello', { headers: { Authorization: `Bearer ${token}` } })
  return { edge, sign, hello, count: () => edge.emulator.count(KEYS) }
}

describe('JWKS fetch counts', () => {
  it('should fetch the JWKS once for 1,000 requests', async () => {
    const { sign, hello, count } = project()
    // 100 distinct tokens, each sent 10 times: both the signature path and the memory path.
    const tokens = await Promise.all(Array.from({ length: 100 }, (_, i) => sign({ n: i })))
    for (let round = 0; round < 20; round++) {
      const batch = Array.from({ length: 50 }, (_, i) => tokens[(round * 50 + i) % 100] as string)
      const statuses = await Promise.all(batch.map(async (token) => (await hello(token)).status))
      expect(statuses.every((status) => status === 200)).toBe(true)
    }
    expect(await count()).toBe(1)
    // 1,000 requests through workerd: seconds on a busy 2-core machine, so not the default 5 s.
  }, 30_000)

  it('should fetch at most once more for 100 concurrent requests with forged kids (T26)', async () => {
    const { sign, hello, count } = project()
    expect((await hello(await sign())).status).toBe(200)
    const forged = await Promise.all(Array.from({ length: 100 }, (_, i) => sign({}, { kid: `SK2forged${i}${crypto.randomUUID()}` })))
    const statuses = await Promise.all(forged.map(async (token) => (await hello(token)).status))
    expect(statuses.every((status) => status === 401)).toBe(true)
    // Level reached: warm-up + exactly one re-fetch (the bound asked for is ≤ 2).
    expect(await count()).toBe(2)
  })

  it('should fetch once for a cold burst of 16 concurrent first requests (T34)', async () => {
    const { edge, sign, hello, count } = project()
    const token = await sign()
    // A slow JWKS answer keeps the whole burst waiting on the first fetch.
    await edge.emulator.fault({ route: KEYS, latencyMs: 300, times: 1 })
    const statuses = await Promise.all(Array.from({ length: 16 }, async () => (await hello(token)).status))
    expect(statuses).toEqual(Array(16).fill(200))
    expect(await count()).toBe(1)
  })

  it('should fetch once for a cold burst of 16 separate requests (each its own request context) (T34)', async () => {
    const control = emulatorControl(WORKER_PROJECT_ID)
    const token = await control.sign(claims(WORKER_PROJECT_ID))
    const call = () => exports.default.fetch('https://edge.example/api/hello', { headers: { Authorization: `Bearer ${token}` } })
    expect((await call()).status).toBe(200) // creates the store
    const store = storeOf(WORKER_PROJECT_ID)
    // The first request wrote the Cache API entry in its waitUntil: let it land, then drop it.
    const cacheUrl = sharedKeyCacheUrl(EMULATOR_URL, WORKER_PROJECT_ID)
    for (let i = 0; i < 50 && !(await caches.default.match(cacheUrl)); i++) await new Promise((resolve) => setTimeout(resolve, 10))
    await caches.default.delete(cacheUrl)
    store.reset()
    const before = { ...store.stats }
    await control.fault({ route: KEYS, latencyMs: 300, times: 1 })
    const statuses = await Promise.all(Array.from({ length: 16 }, async () => (await call()).status))
    await control.clearFaults()
    expect(statuses).toEqual(Array(16).fill(200))
    // Counted in the store (the Worker's own project is shared with other test files at the emulator).
    expect(store.stats.originFetches - before.originFetches).toBe(1)
    expect(store.stats.sharedHits - before.sharedHits).toBe(0)
  })

  it('should let a cold isolate take the keys from the Cache API without a fetch', async () => {
    const { edge, sign, hello, count } = project()
    expect((await hello(await sign())).status).toBe(200)
    storeOf(edge.projectId).reset() // a new isolate in the same location
    const statuses = await Promise.all(Array.from({ length: 8 }, async () => (await hello(await sign())).status))
    expect(statuses).toEqual(Array(8).fill(200))
    expect(await count()).toBe(1)
    expect(storeOf(edge.projectId).stats.sharedHits).toBe(1)
  })
})

describe('JWKS outages (T33)', () => {
  it('should keep answering 200 when the JWKS endpoint fails after warm-up', async () => {
    const { edge, sign, hello, count } = project()
    expect((await hello(await sign())).status).toBe(200)
    await edge.emulator.fault({ route: KEYS, status: 500 })
    // A forged kid forces a re-fetch, which fails; the good keys stay.
    expect((await hello(await sign({}, { kid: 'SK2forged' }))).status).toBe(401)
    expect(await count()).toBe(2)
    const statuses = await Promise.all(Array.from({ length: 5 }, async (_, i) => (await hello(await sign({ n: i }))).status))
    expect(statuses).toEqual(Array(5).fill(200))
  })

  it('should answer 503 unavailable when cold and the JWKS endpoint is down or answers garbage', async () => {
    const faults: Omit<EmulatorFault, 'route'>[] = [
      { status: 500 },
      { status: 200, body: '<html>not json</html>', headers: { 'Content-Type': 'text/html' } },
      { status: 200, body: 'null' },
      { status: 200, body: { keys: null } },
      { status: 200, body: { keys: [null] } },
      { status: 200, body: { keys: [{ kty: 'oct', k: 'c2VjcmV0', kid: 'SK2oct' }] } },
      { status: 302, body: '', headers: { Location: 'https://evil.example/jwks' } },
      { reset: true },
    ]
    for (const fault of faults) {
      const { edge, sign, hello } = project()
      await edge.emulator.fault({ route: KEYS, ...fault })
      const response = await hello(await sign())
      expect(response.status, JSON.stringify(fault)).toBe(503)
      expect(await response.json()).toMatchObject({ error: { code: 'unavailable' } })
      expect(response.headers.get('Retry-After')).toBe('5')
    }
    // Eight fresh projects, each with a new signing key: seconds on a busy 2-core machine.
  }, 15_000)

  it('should answer 503 within the JWKS timeout when cold and the endpoint hangs', async () => {
    const { edge, sign, hello } = project()
    await edge.emulator.fault({ route: KEYS, latencyMs: 4_000 })
    const response = await hello(await sign())
    expect(response.status).toBe(503)
  }, 10_000)
})

describe('key rotation (T34)', () => {
  it('should accept a new kid after one re-fetch and refuse the removed kid', async () => {
    const { edge, sign, hello, count } = project()
    const old = await sign()
    expect((await hello(old)).status).toBe(200)
    await edge.emulator.rotateKeys({ revoke: true })
    const rotated = await sign()
    expect((await hello(rotated)).status).toBe(200)
    expect(await count()).toBe(2)
    // The old token had been verified and remembered: the key set changed, so it is refused now.
    expect((await hello(old)).status).toBe(401)
    expect(await count()).toBe(2)
  })

  it('should keep accepting the old kid while it is still published', async () => {
    const { edge, sign, hello, count } = project()
    const old = await sign()
    expect((await hello(old)).status).toBe(200)
    await edge.emulator.rotateKeys()
    expect((await hello(await sign())).status).toBe(200)
    expect((await hello(old)).status).toBe(200)
    expect(await count()).toBe(2)
  })
})
