/**
 * The emulator's own contract beyond what node-sdk exercises: the leniency other SDKs need
 * (docs/descope-contract.md §13), Descope-shaped errors, and the test-control API (faults, keys, clock, sign).
 */
import { describe, expect, inject, it } from 'vitest'
import { SoftwareAuthenticator, fromBase64url } from '../support/authenticator'
import { newProjectId } from '../support/emulator-control.mjs'

const ORIGIN = 'https://app.example.com'
const emulatorUrl = inject('emulatorUrl')

let users = 0
const newLoginId = () => `e${++users}-${Date.now().toString(36)}@example.com`

/** A raw client of one project, as a non-JS SDK would talk to it. */
function projectClient(projectId = newProjectId()) {
  async function call(method: string, path: string, options: { body?: unknown; raw?: string; token?: string; headers?: Record<string, string> } = {}) {
    const response = await fetch(`${emulatorUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${projectId}${options.token ? `:${options.token}` : ''}`, ...options.headers },
      body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
    })
    const text = await response.text()
    return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) as Record<string, any> }
  }
  const control = async (method: string, path: string, body?: unknown) => {
    const response = await call(method, `/emulator/${projectId}${path}`, { body })
    expect(response.status).toBe(200)
    return response.json()
  }
  /** Go-style sign-up: top-level loginId, `transactionID` at finish. */
  async function signUp(authenticator = new SoftwareAuthenticator(), loginId = newLoginId()) {
    const start = (await call('POST', '/v1/auth/webauthn/signup/start', { body: { loginId, user: { name: 'Go' }, origin: ORIGIN } })).json()
    const response = await authenticator.create(JSON.parse(start.options), ORIGIN)
    const finish = await call('POST', '/v1/auth/webauthn/signup/finish', { body: { transactionID: start.transactionId, response: JSON.stringify(response) } })
    expect(finish.status).toBe(200)
    return { ...finish.json(), loginId, authenticator } as Record<string, any> & { loginId: string; authenticator: SoftwareAuthenticator }
  }
  return { projectId, call, control, signUp }
}

describe('emulator: requests and errors', () => {
  const project = projectClient()

  it('should answer malformed, missing and unknown projects and paths with Descope-shaped JSON', async () => {
    const malformed = await fetch(`${emulatorUrl}/v2/keys/P2short`)
    expect(malformed.status).toBe(400)
    expect(await malformed.json()).toMatchObject({ errorCode: 'E011003', errorDescription: expect.any(String) })
    const missing = await fetch(`${emulatorUrl}/v1/auth/me`)
    expect(missing.status).toBe(401)
    expect(((await missing.json()) as Record<string, unknown>).errorCode).toBe('E011002')
    const unknown = await project.call('GET', '/v1/auth/nope')
    expect(unknown.status).toBe(404)
    expect(unknown.json().errorCode).toMatch(/^E\d{6}$/)
  })

  it('should refuse a body over 1 MiB with a JSON 413, and answer the next request', async () => {
    const big = await project.call('POST', '/v1/auth/webauthn/signin/start', { raw: JSON.stringify({ loginId: 'x'.repeat(2 * 1024 * 1024) }) })
    expect(big.status).toBe(413)
    expect(big.json().errorCode).toBe('E011001')
    expect((await project.call('GET', `/v2/keys/${project.projectId}`)).status).toBe(200)
  })

  it('should accept Go-style bodies: top-level loginId, transactionID, refresh and logout without a body', async () => {
    const user = await project.signUp()
    expect(user.user.loginIds).toEqual([user.loginId])
    const refresh = await project.call('POST', '/v1/auth/refresh?dcs=t&dcr=f', { token: user.refreshJwt })
    expect(refresh.status).toBe(200)
    expect(refresh.json().sessionJwt).toMatch(/^ey/)
    // No rotation: `"refreshJwt": ""`, as go-sdk's and swift-sdk's fixtures of a refresh show.
    expect(refresh.json().refreshJwt).toBe('')
    const logout = await project.call('POST', '/v1/auth/logout', { token: user.refreshJwt, raw: '', headers: { 'Content-Type': 'application/json' } })
    expect(logout.status).toBe(200)
    expect(logout.json()).toMatchObject({ sessionJwt: '', refreshJwt: '' })
    const after = await project.call('POST', '/v1/auth/refresh', { token: user.refreshJwt })
    expect(after.status).toBe(401)
    expect(after.json().errorCode).toBe('E064001')
  })

  it('should read the refresh JWT from the DSR cookie and ignore a stale one on calls that do not need it', async () => {
    const user = await project.signUp()
    const me = await project.call('GET', '/v1/auth/me', { headers: { Cookie: `other=1; DSR=${user.refreshJwt}` } })
    expect(me.json().userId).toBe(user.user.userId)
    const start = await project.call('POST', '/v1/auth/webauthn/signin/start', { body: { loginId: user.loginId, origin: ORIGIN }, token: 'ey.stale.token' })
    expect(start.status).toBe(200)
  })

  it('should refuse a body that is not a JSON object and a finish without arguments', async () => {
    const garbage = await project.call('POST', '/v1/auth/webauthn/signin/start', { raw: '{nope' })
    expect(garbage.status).toBe(400)
    expect(garbage.json().errorCode).toBe('E011001')
    const empty = await project.call('POST', '/v1/auth/webauthn/signin/finish', { body: {} })
    expect(empty.status).toBe(400)
    expect(empty.json().errorCode).toBe('E011002')
  })

  it('should answer {jwt} at update/finish after an mfa start, with merged amr', async () => {
    const user = await project.signUp()
    const start = (
      await project.call('POST', '/v1/auth/webauthn/update/start', { body: { loginId: user.loginId, origin: ORIGIN, mfa: true }, token: user.refreshJwt })
    ).json()
    const created = await new SoftwareAuthenticator().create(JSON.parse(start.options), ORIGIN)
    const finish = await project.call('POST', '/v1/auth/webauthn/update/finish', { body: { transactionId: start.transactionId, response: created } })
    expect(finish.status).toBe(200)
    const claims = JSON.parse(new TextDecoder().decode(fromBase64url(finish.json().jwt.sessionJwt.split('.')[1])))
    expect(claims).toMatchObject({ sub: user.user.userId, amr: ['webauthn'], drn: 'DS' })
  })

  it('should let a passkey sign in from a subdomain of its RP ID but not from elsewhere', async () => {
    const device = new SoftwareAuthenticator()
    const start = (await project.call('POST', '/v1/auth/webauthn/signup/start', { body: { loginId: newLoginId(), origin: 'https://example.com' } })).json()
    const created = await device.create(JSON.parse(start.options), 'https://example.com')
    const user = (await project.call('POST', '/v1/auth/webauthn/signup/finish', { body: { transactionId: start.transactionId, response: created } })).json()
    const loginId = user.user.loginIds[0]
    const sub = await project.call('POST', '/v1/auth/webauthn/signin/start', { body: { loginId, origin: 'https://app.example.com' } })
    expect(JSON.parse(sub.json().options).publicKey.rpId).toBe('example.com')
    const other = await project.call('POST', '/v1/auth/webauthn/signin/start', { body: { loginId, origin: 'https://example.org' } })
    expect(other.status).toBe(400)
  })
})

describe('emulator: test-control API', () => {
  it('should count calls and apply faults: status once, raw garbage, latency only, reset', async () => {
    const project = projectClient()
    await project.control('POST', '/faults', { route: 'GET /v2/keys', status: 503, times: 1 })
    expect((await project.call('GET', `/v2/keys/${project.projectId}`)).status).toBe(503)
    expect((await project.call('GET', `/v2/keys/${project.projectId}`)).status).toBe(200)

    await project.control('POST', '/faults', { route: 'POST /v1/auth/refresh', status: 200, body: '<html>garbage', times: 1 })
    const garbage = await project.call('POST', '/v1/auth/refresh')
    expect(garbage.text).toBe('<html>garbage')

    await project.control('POST', '/faults', { route: 'POST /v1/auth/refresh', status: 429, times: 1 })
    const limited = await project.call('POST', '/v1/auth/refresh')
    expect(limited.status).toBe(429)
    expect(limited.headers.get('Retry-After')).toBe('1')
    expect(limited.json().errorCode).toBe('E130429')

    await project.control('POST', '/faults', { route: '*', latencyMs: 5, times: 1 })
    expect((await project.call('GET', `/v2/keys/${project.projectId}`)).status).toBe(200)

    // Over HTTP workerd ends the broken answer early and drops the keep-alive socket afterwards
    // (a service-binding caller in workerd sees the body read fail instead): no Descope answer.
    await project.control('POST', '/faults', { route: 'GET /v1/auth/me', reset: true, times: 1 })
    const reset = await project.call('GET', '/v1/auth/me').then(
      (answer) => answer.text,
      () => 'rejected'
    )
    expect(reset).not.toMatch(/errorCode/)
    await fetch(`${emulatorUrl}/healthz`).catch(() => undefined)
    expect((await project.call('GET', '/v1/auth/me')).status).toBe(401)

    const { calls } = await project.control('GET', '/calls')
    expect(calls).toEqual({ 'GET /v2/keys': 3, 'POST /v1/auth/refresh': 2, 'GET /v1/auth/me': 2 })
    await project.control('DELETE', '/calls')
    expect((await project.control('GET', '/calls')).calls).toEqual({})
  })

  it('should rotate keys: the old kid stays in the JWKS (up to 12 keys) unless revoked, and then its refresh tokens stop working', async () => {
    const project = projectClient()
    const user = await project.signUp()
    const before = (await project.call('GET', `/v2/keys/${project.projectId}`)).json().keys
    const { kid } = await project.control('POST', '/keys/rotate', {})
    const kept = (await project.call('GET', `/v2/keys/${project.projectId}`)).json().keys
    expect(kept.map((key: { kid: string }) => key.kid)).toEqual([kid, before[0].kid])
    expect((await project.call('POST', '/v1/auth/refresh', { token: user.refreshJwt })).status).toBe(200)
    for (let i = 0; i < 12; i++) await project.control('POST', '/keys/rotate', {})
    expect((await project.call('GET', `/v2/keys/${project.projectId}`)).json().keys).toHaveLength(12)
    await project.control('POST', '/keys/rotate', { revoke: true })
    expect((await project.call('GET', `/v2/keys/${project.projectId}`)).json().keys).toHaveLength(1)
    expect((await project.call('POST', '/v1/auth/refresh', { token: user.refreshJwt })).status).toBe(401)
  })

  it('should shift the clock: transactions and refresh tokens expire on it', async () => {
    const project = projectClient()
    const user = await project.signUp()
    const start = (await project.call('POST', '/v1/auth/webauthn/signin/start', { body: { loginId: user.loginId, origin: ORIGIN } })).json()
    const response = await user.authenticator.get(JSON.parse(start.options), ORIGIN)
    await project.control('POST', '/clock', { offsetSeconds: 301 })
    const late = await project.call('POST', '/v1/auth/webauthn/signin/finish', { body: { transactionId: start.transactionId, response } })
    expect(late.status).toBe(400)
    await project.control('POST', '/clock', { offsetSeconds: 29 * 24 * 3600 })
    expect((await project.call('GET', '/v1/auth/me', { token: user.refreshJwt })).status).toBe(401)
  })

  it('should sign any payload, with header overrides, and still refuse forged refresh tokens', async () => {
    const project = projectClient()
    const { jwt } = await project.control('POST', '/sign', {
      payload: { sub: 'U1', drn: 'DSR', iss: project.projectId, exp: 9999999999 },
      header: { kid: null },
    })
    const header = JSON.parse(new TextDecoder().decode(fromBase64url(jwt.split('.')[0])))
    expect(header).toEqual({ alg: 'RS256', typ: 'JWT' })
    const signed = await project.control('POST', '/sign', { payload: { sub: 'U1', drn: 'DSR', iss: project.projectId, exp: 9999999999, jti: 'nope' } })
    const refresh = await project.call('POST', '/v1/auth/refresh', { token: signed.jwt })
    expect(refresh.status).toBe(401)
    expect(refresh.json().errorCode).toBe('E061005')
  })
})
