/**
 * Request IDs and log lines (src/telemetry/): every error body and every log line of a request
 * carry the same ID — its cf-ray when well-formed, else a generated one — and the success path
 * writes at most one line per request.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { SoftwareAuthenticator } from '../support/authenticator'
import { edgeFor, newProjectId, SESSION_COOKIE } from '../support/edge'
import { MetricsSink } from '../support/metrics'
import { Browser, newLoginId, post, type Edge } from './passkey-helpers'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
const RAY = '8f1c2a3b4d5e6f70-CDG'
/** A well-formed finish body for a transaction that was never started. */
const NO_TRANSACTION = { transactionId: 'x'.repeat(43), response: { id: 'AAAA', type: 'public-key', response: {} } }

/** Every line the Worker logs while the test runs, parsed (each must be one JSON object). */
function captureLogs(): Array<Record<string, unknown>> {
  const lines: Array<Record<string, unknown>> = []
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      expect(args).toHaveLength(1)
      lines.push(JSON.parse(String(args[0])) as Record<string, unknown>)
    })
  }
  return lines
}

afterEach(() => vi.restoreAllMocks())

async function requestIdOf(response: Response): Promise<string> {
  return ((await response.json()) as { error: { requestId: string } }).error.requestId
}

describe('request IDs', () => {
  const edge = edgeFor()

  it("should answer the request's cf-ray in the error body and stamp it on every line of that request", async () => {
    const lines = captureLogs()
    const response = await post(edge, '/auth/passkey/signin/finish', NO_TRANSACTION, { headers: { 'cf-ray': RAY } })
    expect(response.status).toBe(400)
    expect(await requestIdOf(response)).toBe(RAY)
    expect(lines).toEqual([{ event: 'invalid_transaction', requestId: RAY, reason: 'unknown' }])
  })

  it('should generate one ID per request without a cf-ray, the same in its body and its lines', async () => {
    const lines = captureLogs()
    const first = await post(edge, '/auth/passkey/signin/finish', NO_TRANSACTION)
    const second = await post(edge, '/auth/passkey/signin/finish', NO_TRANSACTION)
    const ids = [await requestIdOf(first), await requestIdOf(second)]
    expect(ids[0]).toMatch(UUID)
    expect(ids[1]).toMatch(UUID)
    expect(ids[0]).not.toBe(ids[1])
    expect(lines.map((line) => line.requestId)).toEqual(ids)
  })

  it('should never echo a cf-ray that is not a Ray ID (a token, a login ID, anything long)', async () => {
    const token = await edge.emulator.sign({ sub: 'U2x', exp: 1 })
    for (const ray of [token, 'alice@example.com', `${'a'.repeat(16)}-CDG-and-more`, '8f1c2a3b4d5e6f7', 'DS=secret']) {
      const lines = captureLogs()
      const response = await post(edge, '/auth/passkey/signin/finish', NO_TRANSACTION, { headers: { 'cf-ray': ray } })
      const id = await requestIdOf(response)
      expect(id).toMatch(UUID)
      expect(lines.map((line) => line.requestId)).toEqual([id])
      vi.restoreAllMocks()
    }
  })

  it('should carry the ID on every kind of error answer: 404, 405, 415, 401, configuration error', async () => {
    const misconfigured = edgeFor(newProjectId(), { ALLOWED_ORIGINS: '' })
    const answers = [
      await edge.fetch('/nowhere', { headers: { 'cf-ray': RAY } }),
      await edge.fetch('/auth/refresh', { headers: { 'cf-ray': RAY } }),
      await edge.fetch('/auth/passkey/signin/start', { method: 'POST', headers: { 'cf-ray': RAY, Origin: 'https://app.example.com' }, body: 'x' }),
      await edge.fetch('/api/hello', { headers: { 'cf-ray': RAY } }),
      await (async () => {
        captureLogs()
        return misconfigured.fetch('/healthz', { headers: { 'cf-ray': RAY } })
      })(),
    ]
    expect(answers.map((response) => response.status)).toEqual([404, 405, 415, 401, 500])
    for (const response of answers) expect(await requestIdOf(response)).toBe(RAY)
  })
})

describe('log volume', () => {
  /** The edge, recording the lines each request wrote. */
  function counted(): { edge: Edge; perRequest: Array<{ what: string; status: number; lines: number }> } {
    const lines = captureLogs()
    const base = edgeFor(newProjectId(), { METRICS: new MetricsSink() })
    const perRequest: Array<{ what: string; status: number; lines: number }> = []
    const edge: Edge = {
      ...base,
      async fetch(input, init) {
        const before = lines.length
        const response = await base.fetch(input, init)
        const what = `${init?.method ?? 'GET'} ${typeof input === 'string' ? input : new URL(input.url).pathname}`
        perRequest.push({ what, status: response.status, lines: lines.length - before })
        return response
      },
    }
    return { edge, perRequest }
  }

  it('should write at most one line per request on the success path (cold keys included)', async () => {
    const { edge, perRequest } = counted()
    const loginId = newLoginId()
    const browser = new Browser(edge)
    await browser.signUp(loginId) // the first request of this project fetches the keys
    await new Browser(edge, browser.authenticator).signIn(loginId)
    const cookie = { Cookie: browser.jar.header() }
    for (const path of ['/api/hello', '/auth/session', '/auth/me', '/healthz', '/readyz']) await edge.fetch(path, { headers: cookie })
    await edge.fetch('/api/hello', { headers: { Authorization: `Bearer ${browser.jar.cookies.get(SESSION_COOKIE)}` } })
    await browser.post('/auth/refresh', {})
    const adder = new Browser(edge, new SoftwareAuthenticator())
    for (const [name, value] of browser.jar.cookies) adder.jar.cookies.set(name, value)
    await adder.post('/auth/passkey/update/finish', await adder.prepare('update', {}))
    // A login ID Descope does not know gets decoy options: a success for the browser.
    await new Browser(edge).post('/auth/passkey/signin/start', { loginId: newLoginId('nobody') })
    await browser.post('/auth/logout', {})

    expect(perRequest.length).toBe(15)
    expect(perRequest.filter((request) => request.status !== 200)).toEqual([])
    const noisy = perRequest.filter((request) => request.lines > 1)
    expect(noisy).toEqual([])
    vi.restoreAllMocks()
    console.info(
      JSON.stringify({ figure: 'success_path_lines', requests: perRequest.length, lines: perRequest.reduce((sum, request) => sum + request.lines, 0) })
    )
  })
})
