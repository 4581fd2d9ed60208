import { afterEach, describe, expect, it } from 'vitest'
import { edgeFor, SESSION_COOKIE, REFRESH_COOKIE } from '../support/edge'
import { Browser, jwtPayload, newLoginId, setCookiesOf } from './passkey-helpers'

const edge = edgeFor()
/** A short Descope timeout for the timeout cases (the config's minimum is 100 ms). */
const slowEdge = edgeFor(edge.projectId, { DESCOPE_TIMEOUT_MS: '300' })

afterEach(async () => {
  await edge.emulator.clearFaults()
})

async function errorOf(response: Response) {
  return { status: response.status, headers: response.headers, body: (await response.json()) as { error: { code: string; message: string } } }
}

/** Descope's text must never reach the browser. The request ID is ours (random hex can look like `E0…`). */
function expectNoUpstreamText(body: unknown) {
  expect(JSON.stringify(body, (key, value) => (key === 'requestId' ? undefined : value))).not.toMatch(
    /E0\d{5}|descope|not found|already exists|rate limit exceeded/i
  )
}

describe('upstream faults at start', () => {
  it("should pass Descope's 429 on with Retry-After (T36)", async () => {
    await edge.emulator.fault({
      route: 'POST /v1/auth/webauthn/signup/start',
      status: 429,
      headers: { 'Retry-After': '37' },
      body: { errorCode: 'E130429', errorDescription: 'https://docs.descope.com/rate-limit', errorMessage: 'API rate limit exceeded.' },
    })
    const browser = new Browser(edge)
    const { status, headers, body } = await errorOf(await browser.post('/auth/passkey/signup/start', { loginId: newLoginId() }))
    expect([status, body.error.code]).toEqual([429, 'rate_limited'])
    expect(headers.get('Retry-After')).toBe('37')
    expectNoUpstreamText(body)
    expect(browser.jar.bindingCookies()).toEqual([])
  })

  it('should answer 502 upstream_error for 500, garbage, bad options and a redirect (T37)', async () => {
    const faults = [
      { status: 500, body: { errorCode: 'E000000', errorDescription: 'Server error' } },
      { status: 200, body: '<html>not json</html>' },
      { status: 200, body: { transactionId: 'T1', options: 'not json', create: false } },
      { status: 200, body: { transactionId: 'T1', options: '{"mediation":"optional"}', create: false } },
      { status: 200, body: { transactionId: 'T1', options: '[1,2]', create: false } },
      { status: 302, headers: { Location: 'https://evil.example/' }, body: {} },
    ]
    for (const fault of faults) {
      await edge.emulator.clearFaults()
      await edge.emulator.fault({ route: 'POST /v1/auth/webauthn/signin/start', ...fault })
      const browser = new Browser(edge)
      const { status, body } = await errorOf(await browser.post('/auth/passkey/signin/start', { loginId: newLoginId() }))
      expect([status, body.error.code], JSON.stringify(fault)).toEqual([502, 'upstream_error'])
      expectNoUpstreamText(body)
      expect(browser.jar.bindingCookies()).toEqual([])
    }
  })

  it('should answer 504 upstream_timeout when Descope is too slow (T35)', async () => {
    await edge.emulator.fault({ route: 'POST /v1/auth/webauthn/signup/start', latencyMs: 2000 })
    const { status, body } = await errorOf(await new Browser(slowEdge).post('/auth/passkey/signup/start', { loginId: newLoginId() }))
    expect([status, body.error.code]).toEqual([504, 'upstream_timeout'])
  })

  it('should map Descope refusals at start without its text: sign-in decoy options (200), sign-up 400 invalid_login_id (T22)', async () => {
    // Sign-in start never tells a refused login ID apart (test/workers/threats.test.ts, enumeration).
    const decoy = await new Browser(edge).post('/auth/passkey/signin/start', { loginId: newLoginId('nobody') })
    expect(decoy.status).toBe(200)
    expectNoUpstreamText(await decoy.json())

    const owner = new Browser(edge)
    const loginId = newLoginId('taken')
    await owner.signUp(loginId)
    const taken = await errorOf(await new Browser(edge).post('/auth/passkey/signup/start', { loginId }))
    expect([taken.status, taken.body.error.code]).toEqual([400, 'invalid_login_id'])
    expectNoUpstreamText(taken.body)
  })
})

describe('upstream faults at finish', () => {
  async function prepared() {
    const browser = new Browser(edge)
    return { browser, ...(await browser.prepare('signup', { loginId: newLoginId() })) }
  }
  const FINISH = 'POST /v1/auth/webauthn/signup/finish'

  it('should pass 429 on with Retry-After and call finish once (T36)', async () => {
    const { browser, transactionId, response } = await prepared()
    await edge.emulator.fault({ route: FINISH, status: 429, headers: { 'Retry-After': '12' }, body: { errorCode: 'E130429', errorDescription: 'rate' } })
    const before = await edge.emulator.count(FINISH)
    const answer = await errorOf(await browser.post('/auth/passkey/signup/finish', { transactionId, response }))
    expect([answer.status, answer.body.error.code]).toEqual([429, 'rate_limited'])
    expect(answer.headers.get('Retry-After')).toBe('12')
    expect(await edge.emulator.count(FINISH)).toBe(before + 1)
  })

  it('should answer 502 for 500 (never retried), garbage and a cookie from upstream, with no session cookie (T37)', async () => {
    const faults = [
      { status: 500, body: { errorCode: 'E000000', errorDescription: 'boom' } },
      { status: 503, body: { errorCode: 'E000000', errorDescription: 'boom' } },
      { status: 200, body: 'garbage' },
      { status: 200, body: { sessionJwt: 42 } },
      { status: 200, headers: { 'Set-Cookie': 'DS=evil; Path=/' }, body: {} },
    ]
    for (const fault of faults) {
      await edge.emulator.clearFaults()
      const { browser, transactionId, response } = await prepared()
      await edge.emulator.fault({ route: FINISH, ...fault })
      const before = await edge.emulator.count(FINISH)
      const answer = await browser.post('/auth/passkey/signup/finish', { transactionId, response })
      const { status, body } = await errorOf(answer)
      expect([status, body.error.code], JSON.stringify(fault)).toEqual([502, 'upstream_error'])
      expect(setCookiesOf(answer).filter((cookie) => /DSR?$/.test(cookie.name))).toEqual([])
      expect(await edge.emulator.count(FINISH)).toBe(before + 1)
    }
  })

  it('should answer 504 on a timeout, call finish once, and the transaction is then used up (T09)', async () => {
    const browser = new Browser(slowEdge)
    const prepared = await browser.prepare('signup', { loginId: newLoginId() })
    const jar = browser.jar.clone()
    await edge.emulator.fault({ route: FINISH, latencyMs: 2000 })
    const before = await edge.emulator.count(FINISH)
    const { status, body } = await errorOf(await browser.post('/auth/passkey/signup/finish', prepared))
    expect([status, body.error.code]).toEqual([504, 'upstream_timeout'])
    expect(await edge.emulator.count(FINISH)).toBe(before + 1)
    await edge.emulator.clearFaults()
    const again = await errorOf(await browser.post('/auth/passkey/signup/finish', prepared, { jar }))
    expect([again.status, again.body.error.code]).toEqual([400, 'invalid_transaction'])
    expect(await edge.emulator.count(FINISH)).toBe(before + 1)
  })

  it("should answer 401 authentication_failed for Descope's refusal, with a stable body and no Descope text (T22)", async () => {
    const { browser, transactionId, response } = await prepared()
    await edge.emulator.fault({
      route: FINISH,
      status: 400,
      body: { errorCode: 'E062108', errorDescription: 'User not found', errorMessage: 'Cannot find user' },
    })
    const { status, body } = await errorOf(await browser.post('/auth/passkey/signup/finish', { transactionId, response }))
    expect(status).toBe(401)
    expect(body).toEqual({ error: { code: 'authentication_failed', message: 'The passkey could not be verified.', requestId: expect.any(String) } })
  })

  it('should answer 401 when the emulator refuses a forged assertion for real', async () => {
    const owner = new Browser(edge)
    const loginId = newLoginId()
    await owner.signUp(loginId)
    // Another authenticator has no credential of this user: answer with the owner's options but a fresh credential.
    const thief = new Browser(edge)
    const start = await thief.call('/auth/passkey/signin/start', { loginId })
    const forged = await owner.authenticator.get(start.body.options, 'https://app.example.com')
    forged.response.signature = `${forged.response.signature.slice(0, -4)}AAAA`
    const { status, body } = await errorOf(await thief.post('/auth/passkey/signin/finish', { transactionId: start.body.transactionId, response: forged }))
    expect([status, body.error.code]).toEqual([401, 'authentication_failed'])
    expect(thief.jar.cookies.has(SESSION_COOKIE)).toBe(false)
  })

  it("should refuse tokens that do not verify as this user's session and refresh tokens (502, no cookies) (T38)", async () => {
    const model = new Browser(edge)
    await model.signUp(newLoginId('model'))
    const session = jwtPayload(model.jar.cookies.get(SESSION_COOKIE)!)
    const refresh = model.jar.cookies.get(REFRESH_COOKIE)!
    const other = new Browser(edge)
    await other.signUp(newLoginId('other'))
    const cases: Array<[string, Record<string, unknown>]> = [
      ['a refresh token as session', { sessionJwt: await edge.emulator.sign({ ...session, drn: 'DSR' }), refreshJwt: refresh }],
      ['an unknown key', { sessionJwt: await edge.emulator.sign(session, { kid: 'not-a-key' }), refreshJwt: refresh }],
      ['another issuer', { sessionJwt: await edge.emulator.sign({ ...session, iss: 'https://evil.example/x' }), refreshJwt: refresh }],
      ['a refresh token of another user', { sessionJwt: await edge.emulator.sign(session), refreshJwt: other.jar.cookies.get(REFRESH_COOKIE)! }],
      ['a session token as refresh', { sessionJwt: await edge.emulator.sign(session), refreshJwt: await edge.emulator.sign(session) }],
    ]
    for (const [name, tokens] of cases) {
      await edge.emulator.clearFaults()
      const { browser, transactionId, response } = await prepared()
      await edge.emulator.fault({ route: FINISH, status: 200, body: { ...tokens, firstSeen: true, sessionExpiration: session.exp } })
      const answer = await browser.post('/auth/passkey/signup/finish', { transactionId, response })
      const { status, body } = await errorOf(answer)
      expect([status, body.error.code], name).toEqual([502, 'upstream_error'])
      expect(
        setCookiesOf(answer).filter((cookie) => cookie.name === SESSION_COOKIE || cookie.name === REFRESH_COOKIE),
        name
      ).toEqual([])
    }
  })
})
