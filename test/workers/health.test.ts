/**
 * `/healthz` (liveness: configuration only, no I/O) and `/readyz` (readiness: a KV read and the
 * signing keys, cached or fetched, each within a short timeout) under KV and key-set faults.
 */
import { env, exports } from 'cloudflare:workers'
import { describe, expect, it, vi } from 'vitest'
import { READY_TIMEOUT_MS } from '../../src/health/routes'
import { edgeFor, newProjectId } from '../support/edge'

const KEYS = 'GET /v2/keys'

/** A KV binding whose reads fail, or never answer. */
function brokenKv(mode: 'reject' | 'hang'): KVNamespace {
  const get = mode === 'reject' ? () => Promise.reject(new Error('KV down')) : () => new Promise<never>(() => {})
  return { ...env.TRANSACTIONS, get } as unknown as KVNamespace
}

async function ready(edge: ReturnType<typeof edgeFor>) {
  const response = await edge.fetch('/readyz')
  return { status: response.status, body: (await response.json()) as Record<string, any>, headers: response.headers }
}

describe('GET /healthz', () => {
  it('should answer 200 {ok: true} with a valid configuration', async () => {
    const response = await exports.default.fetch('https://edge.example/healthz')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ ok: true })
    expect(response.headers.get('Cache-Control')).toBe('no-store')
  })

  it('should stay cheap: no KV read, no key fetch, even on a cold project with KV down', async () => {
    const edge = edgeFor(newProjectId(), { TRANSACTIONS: brokenKv('reject') })
    expect((await edge.fetch('/healthz')).status).toBe(200)
    expect(await edge.emulator.count(KEYS)).toBe(0)
  })

  it('should reach the emulator through the outbound service', async () => {
    const response = await fetch('http://emulator.localhost/v2/keys/P2passkeyedgetest0000000000A')
    const { keys } = (await response.json()) as { keys: Record<string, unknown>[] }
    expect(keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: expect.stringMatching(/^SK/) })
  })
})

describe('GET /readyz', () => {
  it('should answer 200 with both checks ok, fetching the keys once on a cold isolate', async () => {
    const edge = edgeFor()
    const first = await ready(edge)
    expect(first).toMatchObject({ status: 200, body: { ok: true, checks: { kv: 'ok', keys: 'ok', passkeyDomain: 'ok' } } })
    expect(first.headers.get('Cache-Control')).toBe('no-store')
    expect((await ready(edge)).status).toBe(200)
    // Cached keys: the second check fetched nothing.
    expect(await edge.emulator.count(KEYS)).toBe(1)
  })

  it('should answer 503 naming the transaction store when KV fails', async () => {
    const edge = edgeFor(newProjectId(), { TRANSACTIONS: brokenKv('reject') })
    const log = vi.spyOn(console, 'error').mockImplementation(() => {})
    const { status, body } = await ready(edge)
    expect(status).toBe(503)
    expect(body).toEqual({
      error: { code: 'unavailable', message: 'Not ready: kv failed.', requestId: expect.any(String) },
      checks: { kv: 'failed', keys: 'ok', passkeyDomain: 'ok' },
    })
    expect(log.mock.calls.map(([line]) => JSON.parse(String(line)))).toEqual([
      { event: 'not_ready', requestId: body.error.requestId, kv: 'failed', keys: 'ok', passkeyDomain: 'ok' },
    ])
    log.mockRestore()
  })

  it(`should answer 503 within its ${READY_TIMEOUT_MS} ms timeout when KV never answers`, async () => {
    const edge = edgeFor(newProjectId(), { TRANSACTIONS: brokenKv('hang') })
    vi.spyOn(console, 'error').mockImplementation(() => {})
    const started = Date.now()
    const { status, body } = await ready(edge)
    expect(Date.now() - started).toBeLessThan(READY_TIMEOUT_MS + 1000)
    expect([status, body.checks]).toEqual([503, { kv: 'failed', keys: 'ok', passkeyDomain: 'ok' }])
    vi.restoreAllMocks()
  })

  it('should answer 503 naming the signing keys when a cold isolate cannot fetch them', async () => {
    const edge = edgeFor()
    await edge.emulator.fault({ route: KEYS, status: 500 })
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    vi.spyOn(console, 'error').mockImplementation(() => {})
    const { status, body } = await ready(edge)
    vi.restoreAllMocks()
    expect(status).toBe(503)
    expect(body.error).toMatchObject({ code: 'unavailable', message: 'Not ready: keys failed.' })
    expect(body.checks).toEqual({ kv: 'ok', keys: 'failed', passkeyDomain: 'ok' })
    // Within the key store's pause after a failure, a second probe does not ask Descope again.
    expect((await ready(edge)).status).toBe(503)
    expect(await edge.emulator.count(KEYS)).toBe(1)
    await edge.emulator.clearFaults()
  })

  it('should name both parts when both fail, and leak no configuration', async () => {
    const edge = edgeFor(newProjectId(), { TRANSACTIONS: brokenKv('reject') })
    await edge.emulator.fault({ route: KEYS, status: 503 })
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    vi.spyOn(console, 'error').mockImplementation(() => {})
    const response = await edge.fetch('/readyz')
    vi.restoreAllMocks()
    const text = await response.text()
    expect(response.status).toBe(503)
    expect(JSON.parse(text).checks).toEqual({ kv: 'failed', keys: 'failed', passkeyDomain: 'ok' })
    expect(JSON.parse(text).error.message).toBe('Not ready: kv failed, keys failed.')
    for (const secret of [edge.projectId, 'emulator.localhost', 'TRANSACTIONS', 'KV down', 'E0', 'descope']) expect(text).not.toContain(secret)
  })

  it('should report a passkey domain that does not fit an allowed origin (compare options.publicKey.rpId with the origin), from a usernameless start', async () => {
    const edge = edgeFor()
    // Descope's passkey "Top Level Domain" set to another site: its options carry that rpId.
    const options = JSON.stringify({ publicKey: { challenge: 'AAAA', rpId: 'other.example', timeout: 60000 } })
    await edge.emulator.fault({ route: 'POST /v1/auth/webauthn/signin/start', status: 200, body: { transactionId: 'T1', options }, times: 2 })
    const log = vi.spyOn(console, 'error').mockImplementation(() => {})
    const { status, body } = await ready(edge)
    const lines = log.mock.calls.map(([line]) => JSON.parse(String(line)))
    vi.restoreAllMocks()
    expect(status).toBe(503)
    expect(body.checks).toEqual({ kv: 'ok', keys: 'ok', passkeyDomain: 'mismatch' })
    expect(body.error.message).toBe('Not ready: passkeyDomain mismatch.')
    expect(lines).toContainEqual(expect.objectContaining({ event: 'passkey_domain_mismatch', origin: 'https://app.example.com', rpId: 'other.example' }))
    // The verdict is kept for a few minutes: probes do not ask Descope each time.
    const starts = await edge.emulator.count('POST /v1/auth/webauthn/signin/start')
    vi.spyOn(console, 'error').mockImplementation(() => {})
    expect((await ready(edge)).status).toBe(503)
    vi.restoreAllMocks()
    expect(await edge.emulator.count('POST /v1/auth/webauthn/signin/start')).toBe(starts)
  })

  it('should stay ready when Descope cannot say (the passkey domain is unknown), and accept a parent-domain rpId', async () => {
    const edge = edgeFor()
    await edge.emulator.fault({ route: 'POST /v1/auth/webauthn/signin/start', status: 500, times: 4 })
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    expect(await ready(edge)).toMatchObject({ status: 200, body: { checks: { passkeyDomain: 'unknown' } } })
    vi.restoreAllMocks()
    await edge.emulator.clearFaults()
    const parent = edgeFor()
    const options = JSON.stringify({ publicKey: { challenge: 'AAAA', rpId: 'example.com' } })
    await parent.emulator.fault({ route: 'POST /v1/auth/webauthn/signin/start', status: 200, body: { transactionId: 'T1', options }, times: 2 })
    expect(await ready(parent)).toMatchObject({ status: 200, body: { checks: { passkeyDomain: 'ok' } } })
  })
})
