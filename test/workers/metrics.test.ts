/**
 * The metrics (src/telemetry/metrics.ts, docs/operations.md): for each outcome, the data points
 * the real Worker writes to its Analytics Engine binding — here a test double of that write-only
 * sink (test/support/metrics.ts), one per test, on a project of its own.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { dataPoint } from '../../src/telemetry/metrics'
import { edgeFor, newProjectId, SESSION_COOKIE } from '../support/edge'
import { MetricsSink } from '../support/metrics'
import { SoftwareAuthenticator } from '../support/authenticator'
import { Browser, newLoginId, post } from './passkey-helpers'

/** A Worker on its own project writing to its own sink. */
function observed(overrides: Record<string, unknown> = {}) {
  const metrics = new MetricsSink()
  const edge = edgeFor(newProjectId(), { METRICS: metrics, ...overrides })
  return { edge, metrics }
}

const now = () => Math.floor(Date.now() / 1000)
/** A well-formed finish body for a transaction that was never started. */
const NO_TRANSACTION = { transactionId: 'x'.repeat(43), response: { id: 'AAAA', type: 'public-key', response: {} } }

describe('passkey finish: one data point per finish, by flow and outcome', () => {
  it('should count successful finishes of every flow as ok', async () => {
    const { edge, metrics } = observed()
    const loginId = newLoginId()
    const browser = new Browser(edge)
    await browser.signUp(loginId)
    await new Browser(edge, browser.authenticator).signIn(loginId)
    const either = new Browser(edge)
    const prepared = await either.prepare('signup-in', { loginId: newLoginId() })
    expect((await either.post('/auth/passkey/signup-in/finish', prepared)).status).toBe(200)
    const adder = new Browser(edge, new SoftwareAuthenticator())
    for (const [name, value] of browser.jar.cookies) adder.jar.cookies.set(name, value)
    const update = await adder.prepare('update', {})
    expect((await adder.post('/auth/passkey/update/finish', update)).status).toBe(200)

    expect(metrics.of('passkey_finish')).toEqual([
      ['signup', 'ok'],
      ['signin', 'ok'],
      ['signup-in', 'ok'],
      ['update', 'ok'],
    ])
  })

  it('should count each failed finish with its error code', async () => {
    const { edge, metrics } = observed()
    const loginId = newLoginId()
    const owner = new Browser(edge)
    await owner.signUp(loginId)
    metrics.clear()

    // No transaction; a foreign origin; a body that is not JSON.
    await post(edge, '/auth/passkey/signin/finish', NO_TRANSACTION)
    await post(edge, '/auth/passkey/signin/finish', {}, { origin: 'https://evil.example' })
    await post(edge, '/auth/passkey/signup/finish', undefined, { raw: '{' })
    // The wrong authenticator: Descope refuses the assertion.
    const impostor = new Browser(edge, new SoftwareAuthenticator())
    const start = await impostor.call('/auth/passkey/signin/start', { loginId })
    const stolen = await owner.authenticator.get(start.body.options, 'https://app.example.com')
    const tampered = { ...stolen, response: { ...stolen.response, signature: `${stolen.response.signature.slice(0, -4)}AAAA` } }
    await impostor.post('/auth/passkey/signin/finish', { transactionId: start.body.transactionId, response: tampered })
    // Descope fails.
    const unlucky = new Browser(edge, owner.authenticator)
    const prepared = await unlucky.prepare('signin', { loginId })
    await edge.emulator.fault({ route: 'POST /v1/auth/webauthn/signin/finish', status: 503, times: 1 })
    expect((await unlucky.post('/auth/passkey/signin/finish', prepared)).status).toBe(502)

    expect(metrics.of('passkey_finish')).toEqual([
      ['signin', 'invalid_transaction'],
      ['signin', 'origin_not_allowed'],
      ['signup', 'invalid_request'],
      ['signin', 'authentication_failed'],
      ['signin', 'upstream_error'],
    ])
    // The refusal and the failure are upstream errors of the finish step too.
    expect(metrics.of('upstream_error')).toEqual([
      ['finish', 'rejected', expect.stringMatching(/^E\d+$/)],
      ['finish', 'unavailable', expect.stringMatching(/^E\d+$/)],
    ])
    expect(metrics.points.filter((point) => point.metric === 'upstream_error').map((point) => point.doubles)).toEqual([[400], [503]])
  })

  it('should carry the request ID of the answer in its data point', async () => {
    const { edge, metrics } = observed()
    const response = await post(edge, '/auth/passkey/signin/finish', NO_TRANSACTION, { headers: { 'cf-ray': '8f1c2a3b4d5e6f70-CDG' } })
    const body = (await response.json()) as { error: { requestId: string } }
    expect(body.error.requestId).toBe('8f1c2a3b4d5e6f70-CDG')
    expect(metrics.points).toEqual([{ metric: 'passkey_finish', blobs: ['signin', 'invalid_transaction'], doubles: [], requestId: '8f1c2a3b4d5e6f70-CDG' }])
  })
})

describe('session rejections: one data point per refused token, by reason and source', () => {
  it('should count each reason with where the token came from', async () => {
    const { edge, metrics } = observed()
    const sign = (claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}) =>
      edge.emulator.sign({ iss: edge.projectId, sub: 'U2metrics', iat: now() - 5, exp: now() + 600, drn: 'DS', ...claims }, header)
    const hello = (headers: Record<string, string>) => edge.fetch('/api/hello', { headers })

    expect((await hello({ Authorization: `Bearer ${await sign()}` })).status).toBe(200)
    expect((await hello({ Authorization: `Bearer ${await sign({ drn: 'DSR' })}` })).status).toBe(401)
    expect((await hello({ Authorization: `Bearer ${await sign({ exp: now() - 60 })}` })).status).toBe(401)
    expect((await hello({ Authorization: 'Basic abc' })).status).toBe(401)
    expect((await hello({ Cookie: `${SESSION_COOKIE}=${await sign({}, { kid: 'SK2forged' })}` })).status).toBe(401)
    expect((await hello({ Cookie: `${SESSION_COOKIE}=a; ${SESSION_COOKIE}=b` })).status).toBe(401)
    // Expired cookie and no refresh cookie: refused as expired.
    expect((await hello({ Cookie: `${SESSION_COOKIE}=${await sign({ exp: now() - 60 })}` })).status).toBe(401)
    // No token at all is no rejection: nothing was presented.
    expect((await hello({})).status).toBe(401)

    expect(metrics.of('session_rejected')).toEqual([
      ['token_kind', 'header'],
      ['expired', 'header'],
      ['bad_authorization_header', 'header'],
      ['unknown_kid', 'cookie'],
      ['duplicate_cookie', 'cookie'],
      ['expired', 'cookie'],
    ])
  })

  it('should count an expired session cookie that is refreshed as no rejection', async () => {
    const { edge, metrics } = observed()
    const browser = new Browser(edge)
    await browser.signUp(newLoginId())
    const expired = await edge.emulator.sign({ iss: edge.projectId, sub: 'U2whoever', iat: now() - 700, exp: now() - 60, drn: 'DS' })
    browser.jar.cookies.set(SESSION_COOKIE, expired)
    expect((await edge.fetch('/api/hello', { headers: { Cookie: browser.jar.header() } })).status).toBe(200)
    expect(metrics.of('session_rejected')).toEqual([])
  })

  it('should count no_keys when a cold isolate cannot fetch the signing keys', async () => {
    const { edge, metrics } = observed()
    const token = await edge.emulator.sign({ iss: edge.projectId, sub: 'U2metrics', iat: now() - 5, exp: now() + 600, drn: 'DS' })
    await edge.emulator.fault({ route: 'GET /v2/keys', status: 500 })
    expect((await edge.fetch('/api/hello', { headers: { Authorization: `Bearer ${token}` } })).status).toBe(503)
    expect(metrics.of('session_rejected')).toEqual([['no_keys', 'header']])
  })
})

describe('rate-limit refusals', () => {
  it('should count each refusal with its bucket and route', async () => {
    const limits = env as unknown as Record<string, RateLimit>
    const { edge, metrics } = observed({ RATE_LIMIT_IP: limits.TEST_LIMIT_IP, RATE_LIMIT_LOGIN_ID: limits.TEST_LIMIT_LOGIN_ID })
    const loginId = newLoginId()
    const statuses: number[] = []
    // 5 per login ID (vitest.config.ts): the 6th start for the same ID is refused, from fresh IPs.
    for (let index = 0; index < 6; index++) {
      const headers = { 'CF-Connecting-IP': `198.51.100.${10 + index}` }
      statuses.push((await post(edge, '/auth/passkey/signin/start', { loginId }, { headers })).status)
    }
    expect(statuses.at(-1)).toBe(429)
    expect(metrics.of('rate_limited')).toEqual([['login_id', '/auth/passkey/signin/start']])
  })
})

describe('upstream errors: one data point per failed call, by step, kind and status', () => {
  it('should count start failures by kind, with the status as double1', async () => {
    const { edge, metrics } = observed()
    const faults = [
      { route: 'POST /v1/auth/webauthn/signup/start', status: 429, body: { errorCode: 'E130429' } },
      { route: 'POST /v1/auth/webauthn/signup/start', status: 500, body: { errorCode: 'E000000' } },
      { route: 'POST /v1/auth/webauthn/signup/start', status: 200, body: '<html>' },
      { route: 'POST /v1/auth/webauthn/signup/start', status: 200, body: { transactionId: 'T1', options: '[1]' } },
    ]
    for (const fault of faults) {
      await edge.emulator.clearFaults()
      await edge.emulator.fault(fault)
      await new Browser(edge).post('/auth/passkey/signup/start', { loginId: newLoginId() })
    }
    const points = metrics.points.filter((point) => point.metric === 'upstream_error')
    expect(points.map((point) => [...point.blobs, ...point.doubles])).toEqual([
      ['signup-start', 'rate_limited', 'E130429', 429],
      ['signup-start', 'unavailable', 'E000000', 500],
      ['signup-start', 'protocol', '', 200],
      ['start', 'protocol'],
    ])
    await edge.emulator.clearFaults()
  })
})

describe('key-set fetches: one data point per fetch from Descope, with its duration', () => {
  it('should count a successful fetch, then none while the keys are fresh', async () => {
    const { edge, metrics } = observed()
    const token = await edge.emulator.sign({ iss: edge.projectId, sub: 'U2metrics', iat: now() - 5, exp: now() + 600, drn: 'DS' })
    await edge.emulator.fault({ route: 'GET /v2/keys', latencyMs: 40, times: 1 })
    for (let index = 0; index < 3; index++) expect((await edge.fetch('/api/hello', { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200)
    const points = metrics.points.filter((point) => point.metric === 'keyset_fetch')
    expect(points.map((point) => point.blobs)).toEqual([['ok', '']])
    expect(points[0]!.doubles[0]).toBeGreaterThanOrEqual(40)
  })

  it('should count a failed fetch with its reason', async () => {
    const { edge, metrics } = observed()
    await edge.emulator.fault({ route: 'GET /v2/keys', status: 500 })
    const token = await edge.emulator.sign({ iss: edge.projectId, sub: 'U2metrics', iat: now() - 5, exp: now() + 600, drn: 'DS' })
    expect((await edge.fetch('/api/hello', { headers: { Authorization: `Bearer ${token}` } })).status).toBe(503)
    expect(metrics.of('keyset_fetch')).toEqual([['failed', 'descope_unavailable']])
  })
})

describe("Miniflare's own Analytics Engine binding (from wrangler.jsonc)", () => {
  it('should be what the Worker gets by default, and take its data points without error', async () => {
    // A write-only sink locally: nothing can be read back, which is why the tests above use a double.
    const metrics = (env as { METRICS?: AnalyticsEngineDataset }).METRICS
    expect(typeof metrics?.writeDataPoint).toBe('function')
    // Our shapes, written straight to it (the Worker's own writes swallow a failure).
    metrics!.writeDataPoint(dataPoint('upstream_error', crypto.randomUUID(), ['finish', 'unavailable', undefined], 503))
    metrics!.writeDataPoint(dataPoint('keyset_fetch', '8f1c2a3b4d5e6f70-CDG', ['ok'], 12))
    const edge = edgeFor()
    const browser = new Browser(edge)
    await browser.signUp(newLoginId())
    expect((await post(edge, '/auth/passkey/signin/finish', NO_TRANSACTION)).status).toBe(400)
    expect((await edge.fetch('/api/hello', { headers: { Authorization: 'Bearer nope' } })).status).toBe(401)
  })
})

describe('without the binding, or with a failing one', () => {
  it('should serve every flow with no METRICS binding, and when the binding throws', async () => {
    const throwing = {
      writeDataPoint: () => {
        throw new Error('sink down')
      },
    }
    for (const METRICS of [undefined, throwing]) {
      const edge = edgeFor(newProjectId(), { METRICS: METRICS as AnalyticsEngineDataset | undefined })
      const loginId = newLoginId()
      const browser = new Browser(edge)
      await browser.signUp(loginId)
      expect((await post(edge, '/auth/passkey/signin/finish', NO_TRANSACTION)).status).toBe(400)
      expect((await edge.fetch('/api/hello', { headers: { Authorization: 'Bearer nope' } })).status).toBe(401)
    }
  })
})

describe('large sessions: a session token too large for a cookie is counted', () => {
  it('should count a session token over 3,800 characters with its step and length, and none below', async () => {
    const { edge, metrics } = observed()
    const browser = new Browser(edge)
    const finish = await browser.signUp(newLoginId())
    expect(metrics.of('large_session')).toEqual([])
    // Hundreds of roles in the JWT template: the next session token outgrows a cookie.
    const roles = Array.from({ length: 150 }, (_, i) => `role-with-a-long-name-${i}`)
    await edge.emulator.patchUser(finish.body.user.userId, { roles })
    expect((await browser.post('/auth/refresh')).status).toBe(200)
    const [point] = metrics.points.filter((p) => p.metric === 'large_session')
    expect(point?.blobs).toEqual(['session'])
    expect(point?.doubles[0]).toBeGreaterThan(3_800)
    expect(point?.doubles[0]).toBe(browser.jar.cookies.get(SESSION_COOKIE)?.length)
  })
})
