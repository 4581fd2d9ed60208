import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { clientIpKey } from '../../src/request/rate-limit'
import { edgeFor, newProjectId } from '../support/edge'
import { newLoginId, post, wellFormedFinish, type Edge } from './passkey-helpers'

/** Limits of the test bindings (vitest.config.ts): 10 per IP, 5 per login ID, per 60 s. */
const IP_LIMIT = 10
const LOGIN_LIMIT = 5
const { TEST_LIMIT_IP, TEST_LIMIT_LOGIN_ID } = env as unknown as Record<string, RateLimit>

afterEach(() => {
  vi.restoreAllMocks()
})

/** A Worker on its own project (so its own buckets) with the tight test limiters. */
function limitedEdge(overrides: Record<string, unknown> = {}): Edge {
  return edgeFor(newProjectId(), { RATE_LIMIT_IP: TEST_LIMIT_IP!, RATE_LIMIT_LOGIN_ID: TEST_LIMIT_LOGIN_ID!, ...overrides })
}

/**
 * The emulated binding counts in fixed 60 s windows aligned to the clock: a burst that straddles a
 * boundary would start a new window half-way. Wait out the last seconds of a window first.
 */
async function awayFromWindowEdge(): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000)
  if (left < 5_000) await new Promise((resolve) => setTimeout(resolve, left + 50))
}

function start(edge: Edge, ip: string | undefined, loginId = newLoginId(), flow = 'signin', headers: Record<string, string> = {}) {
  return post(edge, `/auth/passkey/${flow}/start`, { loginId }, { headers: { ...(ip && { 'CF-Connecting-IP': ip }), ...headers } })
}

async function expectLimited(response: Response) {
  expect(response.status).toBe(429)
  expect(response.headers.get('Retry-After')).toBe('60')
  expect(response.headers.get('Cache-Control')).toBe('no-store')
  expect(await response.json()).toEqual({ error: { code: 'rate_limited', message: 'Too many requests; try again later.', requestId: expect.any(String) } })
}

async function startCalls(edge: Edge): Promise<number> {
  const calls = await edge.emulator.calls()
  return Object.entries(calls)
    .filter(([route]) => route.endsWith('/start'))
    .reduce((sum, [, count]) => sum + count, 0)
}

describe('per client IP (T43)', () => {
  it('should let the configured number of starts through, then answer 429 with Retry-After and not call Descope', async () => {
    const edge = limitedEdge()
    await awayFromWindowEdge()
    for (let index = 0; index < IP_LIMIT; index++) expect((await start(edge, '203.0.113.7')).status).toBe(200)
    const before = await startCalls(edge)
    await expectLimited(await start(edge, '203.0.113.7'))
    expect(await startCalls(edge)).toBe(before)
    // Another client is not affected.
    expect((await start(edge, '203.0.113.8')).status).toBe(200)
  })

  it('should ignore X-Forwarded-For and True-Client-IP', async () => {
    const edge = limitedEdge()
    await awayFromWindowEdge()
    for (let index = 0; index < IP_LIMIT; index++) {
      const spoofed = { 'X-Forwarded-For': `198.51.100.${index}`, 'True-Client-IP': `198.51.100.${index}` }
      expect((await start(edge, '203.0.113.9', undefined, 'signup', spoofed)).status).toBe(200)
    }
    await expectLimited(await start(edge, '203.0.113.9', undefined, 'signup', { 'X-Forwarded-For': '192.0.2.1' }))
  })

  it('should count every start route against one bucket, add-device included (T10)', async () => {
    const edge = limitedEdge()
    await awayFromWindowEdge()
    const flows = ['signup', 'signin', 'signup-in']
    for (let index = 0; index < IP_LIMIT - 1; index++) expect((await start(edge, '192.0.2.44', undefined, flows[index % 3])).status).toBe(200)
    // A sign-in without a login ID (passkey autofill) has no login ID bucket, but counts per IP.
    const ip = { headers: { 'CF-Connecting-IP': '192.0.2.44' } }
    expect((await post(edge, '/auth/passkey/signin/start', {}, ip)).status).toBe(200)
    await expectLimited(await post(edge, '/auth/passkey/signin/start', {}, ip))
    // Add-device is limited before its session check: a flood never reaches the session code.
    await expectLimited(await post(edge, '/auth/passkey/update/start', {}, { headers: { 'CF-Connecting-IP': '192.0.2.44' } }))
  })

  it("should count every finish route against the IP's bucket too, and refuse the excess before any KV read (T55)", async () => {
    const edge = limitedEdge()
    await awayFromWindowEdge()
    const finish = (flow: string) =>
      post(edge, `/auth/passkey/${flow}/finish`, wellFormedFinish(crypto.randomUUID().replaceAll('-', '').padEnd(43, 'x')), {
        headers: { 'CF-Connecting-IP': '198.51.100.77' },
      })
    // A flood of made-up transaction IDs: each one costs a KV read until the bucket is empty.
    for (let index = 0; index < IP_LIMIT; index++) expect((await finish(['signup', 'signin', 'signup-in'][index % 3]!)).status).toBe(400)
    const reads = vi.spyOn(env.TRANSACTIONS, 'get')
    for (const flow of ['signup', 'signin', 'signup-in', 'update']) await expectLimited(await finish(flow))
    expect(reads).not.toHaveBeenCalled()
    // Starts share the bucket: one client, one budget.
    await expectLimited(await start(edge, '198.51.100.77'))
    expect((await finish('signin')).headers.get('Retry-After')).toBe('60')
  })

  it('should put every address of one IPv6 /48 in one bucket, whatever its /64 and however it is spelled (T62)', async () => {
    const edge = limitedEdge()
    await awayFromWindowEdge()
    const spellings = ['2001:db8::1', '2001:0DB8:0:1::2', '2001:db8:0:ffff:ffff::9', '2001:db8:0000:abcd:1:2:3:4', '2001:db8::1.2.3.4']
    for (let index = 0; index < IP_LIMIT; index++) expect((await start(edge, spellings[index % spellings.length])).status).toBe(200)
    await expectLimited(await start(edge, '2001:db8:0:4242::abcd'))
    // The next /48 is another client.
    expect((await start(edge, '2001:db8:1::1')).status).toBe(200)
  })
})

describe('per login ID (T44)', () => {
  it('should limit one login ID across many IPs and spellings, on sign-in, sign-up and sign-up-or-in', async () => {
    const edge = limitedEdge()
    await awayFromWindowEdge()
    const spellings = ['alice@example.com', 'ALICE@example.com', ' Alice@Example.com', 'ａｌｉｃｅ@example.com', 'alice@EXAMPLE.com']
    const flows = ['signin', 'signup', 'signup-in', 'signin', 'signin']
    for (let index = 0; index < LOGIN_LIMIT; index++) {
      const response = await start(edge, `198.51.100.${index + 1}`, spellings[index], flows[index])
      // Sign-up of an ID that signed up a moment ago is refused by Descope; what matters is the count.
      expect(response.status).not.toBe(429)
    }
    await expectLimited(await start(edge, '198.51.100.99', 'alice@example.com'))
    expect((await start(edge, '198.51.100.99', 'bob@example.com')).status).toBe(200)
  })

  it('should key the limiter with the hash of the canonical ID, never the raw ID', async () => {
    const keys: string[] = []
    const spy = (binding: RateLimit): RateLimit => ({
      limit: (options) => {
        keys.push(options.key)
        return binding.limit(options)
      },
    })
    const edge = limitedEdge({ RATE_LIMIT_IP: spy(TEST_LIMIT_IP!), RATE_LIMIT_LOGIN_ID: spy(TEST_LIMIT_LOGIN_ID!) })
    const logs = vi.spyOn(console, 'warn')
    await start(edge, '203.0.113.50', 'Carol.Secret@Example.com')
    expect(keys).toEqual([`${edge.projectId}:ip:203.0.113.50`, expect.stringMatching(new RegExp(`^${edge.projectId}:login:[0-9a-f]{64}$`))])
    expect(keys.join(' ')).not.toMatch(/carol/i)
    for (let index = 0; index < LOGIN_LIMIT; index++) await start(edge, `203.0.113.${60 + index}`, 'carol.secret@example.com')
    expect(JSON.stringify(logs.mock.calls)).not.toMatch(/carol/i)
  })
})

describe('bindings missing or failing', () => {
  it('should refuse to run the start routes without a binding when RATE_LIMITS is "required" (500 naming it)', async () => {
    expect((env as { RATE_LIMITS?: string }).RATE_LIMITS).toBe('required')
    const edge = edgeFor(newProjectId(), { RATE_LIMIT_IP: undefined })
    const response = await start(edge, '203.0.113.70')
    expect(response.status).toBe(500)
    const body = (await response.json()) as { error: { code: string; message: string } }
    expect(body.error.code).toBe('configuration_error')
    expect(body.error.message).toContain('RATE_LIMIT_IP')
    // Routes without limits keep working.
    expect((await edge.fetch('/healthz')).status).toBe(200)
  })

  it('should run unlimited, and say so in the log, when the bindings are absent and not required', async () => {
    const logs = vi.spyOn(console, 'warn')
    const edge = edgeFor(newProjectId(), { RATE_LIMIT_IP: undefined, RATE_LIMIT_LOGIN_ID: undefined, RATE_LIMITS: '' })
    for (let index = 0; index < IP_LIMIT + 2; index++) expect((await start(edge, '203.0.113.80', 'dave@example.com')).status).toBe(200)
    const events = logs.mock.calls.map(([line]) => String(line)).filter((line) => line.includes('rate_limit_unbound'))
    expect(events.length).toBeGreaterThanOrEqual(IP_LIMIT)
  })

  it('should let requests through when the binding throws', async () => {
    const broken: RateLimit = { limit: () => Promise.reject(new Error('limiter down')) }
    const edge = edgeFor(newProjectId(), { RATE_LIMIT_IP: broken, RATE_LIMIT_LOGIN_ID: broken })
    for (let index = 0; index < 3; index++) expect((await start(edge, '203.0.113.90')).status).toBe(200)
  })
})

describe('clientIpKey', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    [' 203.0.113.7 ', '203.0.113.7'],
    ['2001:db8::1', '2001:db8:0::/48'],
    ['2001:0DB8:0000:0000:aaaa:bbbb:cccc:dddd', '2001:db8:0::/48'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1::/48'],
    ['::1', '0:0:0::/48'],
    ['::', '0:0:0::/48'],
    ['fe80::1%eth0', 'invalid'],
    ['::ffff:192.0.2.1', '0:0:0::/48'],
    ['64:ff9b::192.0.2.1', '64:ff9b:0::/48'],
    ['1:2:3:4:5:6:7:8:9', 'invalid'],
    ['1::2::3', 'invalid'],
    ['12345::', 'invalid'],
    ['256.1.1.1', 'invalid'],
    ['0x7f.1', '127.0.0.1'],
    ['not an ip', 'invalid'],
    ['', undefined],
    [undefined, undefined],
  ])('should map %j to %j', (header, key) => {
    expect(clientIpKey(header)).toBe(key)
  })
})
