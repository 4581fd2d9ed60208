/**
 * The Descope client module against the emulator, for real: every endpoint the Worker uses, and
 * each failure turned into the right `DescopeError` kind. Faults come from the emulator's
 * test-control API; nothing here stubs `fetch`.
 */
import { beforeEach, describe, expect, it } from 'vitest'
import { createDescopeClient } from '../../src/descope/client'
import { DescopeError } from '../../src/descope/errors'
import type { VerifiedRefreshToken } from '../../src/descope/types'
import { SoftwareAuthenticator } from '../support/authenticator'
import { EMULATOR_URL, emulatorControl, newProjectId, ORIGIN } from '../support/edge'

const projectId = newProjectId()
const emulator = emulatorControl(projectId)
const client = createDescopeClient({ baseUrl: EMULATOR_URL, projectId, timeoutMs: 2000 })

beforeEach(async () => {
  await emulator.clearFaults()
  await emulator.resetCalls()
})

async function rejection(promise: Promise<unknown>): Promise<DescopeError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason
  )
  expect(error).toBeInstanceOf(DescopeError)
  return error as DescopeError
}

async function signUp(loginId: string, authenticator = new SoftwareAuthenticator()) {
  const start = await client.signUpStart({ loginId, origin: ORIGIN, user: { name: 'Test User' } })
  const credential = await authenticator.create(JSON.parse(start.options), ORIGIN)
  const tokens = await client.signUpFinish({ transactionId: start.transactionId, response: JSON.stringify(credential) })
  return { start, tokens, authenticator }
}

describe('Descope client against the emulator', () => {
  it('should fetch the JWKS with kid and alg on every key', async () => {
    const { keys } = (await client.keys()) as { keys: unknown[] }
    expect(keys.length).toBeGreaterThan(0)
    for (const key of keys) expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', kid: expect.any(String) })
    expect(await emulator.count('GET /v2/keys')).toBe(1)
  })

  it('should sign up, sign in, read the user, refresh and log out', async () => {
    const loginId = `ada-${crypto.randomUUID()}@example.com`
    const { start, tokens, authenticator } = await signUp(loginId)
    expect(start.create).toBe(true)
    expect(JSON.parse(start.options).publicKey.challenge).toMatch(/^[A-Za-z0-9_-]{16,}$/)
    expect(tokens.sessionJwt.split('.')).toHaveLength(3)
    expect(tokens.refreshJwt).toBeTruthy()
    expect(tokens.firstSeen).toBe(true)
    expect(tokens.user?.loginIds).toEqual([loginId])

    const signIn = await client.signInStart({ loginId, origin: ORIGIN })
    expect(signIn.create).toBe(false)
    const assertion = await authenticator.get(JSON.parse(signIn.options), ORIGIN)
    const again = await client.signInFinish({ transactionId: signIn.transactionId, response: JSON.stringify(assertion) })
    expect(again.firstSeen).toBe(false)
    expect(again.user?.userId).toBe(tokens.user?.userId)

    // Straight from Descope to the client: this test stands in for the edge's own check.
    const refreshJwt = again.refreshJwt as VerifiedRefreshToken
    expect((await client.me(refreshJwt)).userId).toBe(tokens.user?.userId)
    expect((await client.refresh(refreshJwt)).sessionJwt).toBeTruthy()
    await client.logout(refreshJwt)
    const refused = await rejection(client.refresh(refreshJwt))
    expect(refused.kind).toBe('rejected')
    expect(refused.status).toBe(401)
  })

  it("should report sign-up of an existing user as rejected with Descope's code", async () => {
    const loginId = `grace-${crypto.randomUUID()}@example.com`
    await signUp(loginId)
    const error = await rejection(client.signUpStart({ loginId, origin: ORIGIN }))
    expect(error.kind).toBe('rejected')
    expect(error.errorCode).toBe('E062107')
  })

  it('should add a device with the refresh token', async () => {
    const loginId = `lin-${crypto.randomUUID()}@example.com`
    const { tokens } = await signUp(loginId)
    const start = await client.updateStart({ loginId, origin: ORIGIN, refreshJwt: tokens.refreshJwt as VerifiedRefreshToken })
    const second = new SoftwareAuthenticator({ alg: 'RS256' })
    const credential = await second.create(JSON.parse(start.options), ORIGIN)
    await client.updateFinish({ transactionId: start.transactionId, response: JSON.stringify(credential) })
    const signIn = await client.signInStart({ loginId, origin: ORIGIN })
    const assertion = await second.get(JSON.parse(signIn.options), ORIGIN)
    expect((await client.signInFinish({ transactionId: signIn.transactionId, response: JSON.stringify(assertion) })).user?.loginIds).toEqual([loginId])
  })

  it('should pass on a 429 as rate_limited with Retry-After', async () => {
    await emulator.fault({ route: 'GET /v2/keys', status: 429, headers: { 'Retry-After': '42' }, body: { errorCode: 'E130429', errorDescription: 'rate' } })
    const error = await rejection(client.keys())
    expect(error.kind).toBe('rate_limited')
    expect(error.details.retryAfterSeconds).toBe(42)
  })

  it.each([
    ['a 500', { status: 500, body: { errorCode: 'E000000', errorDescription: 'boom' } }, 'unavailable'],
    ['garbage with 200', { status: 200, body: '<html>not json</html>' }, 'protocol'],
    ['a redirect', { status: 302, headers: { Location: 'https://evil.example/' }, body: '' }, 'protocol'],
    ['an oversized body', { status: 200, body: `{"keys":[],"pad":"${'x'.repeat(300 * 1024)}"}` }, 'protocol'],
  ] as const)('should turn %s into %s', async (_, fault, kind) => {
    await emulator.fault({ route: 'GET /v2/keys', ...fault })
    expect((await rejection(client.keys())).kind).toBe(kind)
  })

  it('should ignore cookies it has no use for, on any answer (an infrastructure cookie on the keys)', async () => {
    await emulator.fault({
      route: 'GET /v2/keys',
      headers: { 'Set-Cookie': '__cf_bm=abc; Path=/; Expires=Mon, 30 Nov 2026 16:00:00 GMT; HttpOnly; Secure; SameSite=None' },
    })
    expect((await client.keys()).keys).toHaveLength(1)
    await emulator.clearFaults()
  })

  it('should read tokens from DS/DSR cookies when the body has none, and only those', async () => {
    const body = { cookieMaxAge: 60, firstSeen: false }
    const cookies = [
      '__cf_bm=abc; Path=/',
      'DSR=refresh.jwt.value; Path=/; Max-Age=60; Expires=Mon, 30 Nov 2026 16:00:00 GMT; HttpOnly; Secure',
      'DS=session.jwt.value; Path=/; HttpOnly',
    ]
    const fetcher = (async () => {
      const headers = new Headers({ 'Content-Type': 'application/json' })
      for (const cookie of cookies) headers.append('Set-Cookie', cookie)
      return new Response(JSON.stringify(body), { headers })
    }) as typeof fetch
    const cookieClient = createDescopeClient({ baseUrl: EMULATOR_URL, projectId, timeoutMs: 1000, fetch: fetcher })
    expect(await cookieClient.refresh('old.refresh.jwt' as VerifiedRefreshToken)).toEqual({
      ...body,
      sessionJwt: 'session.jwt.value',
      refreshJwt: 'refresh.jwt.value',
    })
    // Logout's cookies clear the tokens (empty values): nothing to read, and no error.
    cookies.splice(0, 3, 'DS=; Path=/; Max-Age=0', 'DSR=; Path=/; Max-Age=0')
    await expect(cookieClient.logout('old.refresh.jwt' as VerifiedRefreshToken)).resolves.toBeUndefined()
  })

  it('should read "" and null fields as absent before Set-Cookie is consulted, as Descope’s SDKs do (T64)', async () => {
    const empty = {
      sessionJwt: '',
      refreshJwt: null,
      user: null,
      cookieName: '',
      sessionCookieName: '',
      cookieDomain: '',
      cookieMaxAge: 0,
      sessionExpiration: 0,
    }
    const cookies = ['DS=session.jwt.value; Path=/; HttpOnly; Secure; SameSite=None', 'DSR=refresh.jwt.value; Path=/; HttpOnly; Secure; SameSite=None']
    await emulator.fault({ route: 'POST /v1/auth/refresh', status: 200, body: { ...empty, firstSeen: false }, headers: { 'Set-Cookie': cookies }, times: 1 })
    expect(await client.refresh('old.refresh.jwt' as VerifiedRefreshToken)).toEqual({
      firstSeen: false,
      sessionJwt: 'session.jwt.value',
      refreshJwt: 'refresh.jwt.value',
    })
    // A refresh without rotation: `"refreshJwt": ""` is no refresh token, not an empty one.
    await emulator.fault({ route: 'POST /v1/auth/refresh', status: 200, body: { sessionJwt: 'session.jwt.value', refreshJwt: '', cookieDomain: '' }, times: 1 })
    expect(await client.refresh('old.refresh.jwt' as VerifiedRefreshToken)).toEqual({ sessionJwt: 'session.jwt.value' })
    // Nothing in the body and no cookie: still no session token.
    await emulator.fault({ route: 'POST /v1/auth/refresh', status: 200, body: empty, times: 1 })
    expect((await rejection(client.refresh('old.refresh.jwt' as VerifiedRefreshToken))).kind).toBe('protocol')
  })

  it('should take an empty 200 answer as {} (update/finish, logout), and still refuse one where tokens are due', async () => {
    const empty = createDescopeClient({
      baseUrl: EMULATOR_URL,
      projectId,
      timeoutMs: 1000,
      fetch: (async () => new Response('', { status: 200 })) as typeof fetch,
    })
    await expect(empty.updateFinish({ transactionId: 't', response: '{}' })).resolves.toBeUndefined()
    await expect(empty.logout('r' as VerifiedRefreshToken)).resolves.toBeUndefined()
    expect((await rejection(empty.signInFinish({ transactionId: 't', response: '{}' }))).kind).toBe('protocol')
  })

  it('should time out a slow answer (T35)', async () => {
    const quick = createDescopeClient({ baseUrl: EMULATOR_URL, projectId, timeoutMs: 200 })
    await emulator.fault({ route: 'GET /v2/keys', latencyMs: 1500 })
    expect((await rejection(quick.keys())).kind).toBe('timeout')
  })

  it('should retry a start once after a 503, but never a finish (T36)', async () => {
    await emulator.fault({ route: 'POST /v1/auth/webauthn/signin/start', status: 503, body: { errorCode: 'E000000' }, times: 1 })
    await expect(client.signInStart({ loginId: `x-${crypto.randomUUID()}@example.com`, origin: ORIGIN })).rejects.toMatchObject({ kind: 'rejected' })
    expect(await emulator.count('POST /v1/auth/webauthn/signin/start')).toBe(2)

    await emulator.fault({ route: 'POST /v1/auth/webauthn/signin/finish', status: 503, body: { errorCode: 'E000000' }, times: 1 })
    const error = await rejection(client.signInFinish({ transactionId: 'unknown', response: '{}' }))
    expect(error.kind).toBe('unavailable')
    expect(await emulator.count('POST /v1/auth/webauthn/signin/finish')).toBe(1)
  })
})
