/**
 * Sessions through the real Worker entry and the emulator: every token case of docs/threat-model.md §E
 * at a protected route, step-up, roles, the session routes, edge refresh and logout.
 */
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { base64url, exportSPKI, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../src/app'
import { createDescopeClient } from '../../src/descope/client'
import { requireSession } from '../../src/session/middleware'
import { SoftwareAuthenticator } from '../support/authenticator'
import { EMULATOR_URL, ORIGIN, REFRESH_COOKIE, SESSION_COOKIE, edgeFor } from '../support/edge'

const edge = edgeFor()
const { projectId: PID, emulator } = edge
const now = () => Math.floor(Date.now() / 1000)

function claims(overrides: Record<string, unknown> = {}) {
  return { iss: PID, sub: 'U2sessiontest', iat: now() - 5, exp: now() + 600, drn: 'DS', amr: ['webauthn'], ...overrides }
}

async function get(path: string, headers: Record<string, string> = {}) {
  const response = await edge.fetch(path, { headers })
  expect(response.status).not.toBe(500)
  return response
}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` })
const cookie = (pairs: Record<string, string>) => ({
  Cookie: Object.entries(pairs)
    .map(([name, value]) => `${name}=${value}`)
    .join('; '),
})

async function expectUnauthorized(response: Response, challenge = 'Bearer error="invalid_token"') {
  expect(response.status).toBe(401)
  expect(await response.json()).toMatchObject({ error: { code: 'unauthorized' } })
  expect(response.headers.get('WWW-Authenticate')).toBe(challenge)
}

/** A real user: passkey sign-up at the emulator, returning its session and refresh tokens. */
async function signUp(loginId = `user-${crypto.randomUUID()}@example.com`) {
  const descope = createDescopeClient({ baseUrl: EMULATOR_URL, projectId: PID, timeoutMs: 5000 })
  const start = await descope.signUpStart({ loginId, origin: ORIGIN })
  const credential = await new SoftwareAuthenticator().create(JSON.parse(start.options), ORIGIN)
  const tokens = await descope.signUpFinish({ transactionId: start.transactionId, response: JSON.stringify(credential) })
  return { sessionJwt: tokens.sessionJwt, refreshJwt: tokens.refreshJwt as string, userId: tokens.user?.userId as string }
}

let jwk: JWK
beforeAll(async () => {
  const response = await fetch(`${EMULATOR_URL}/v2/keys/${PID}`)
  jwk = ((await response.json()) as { keys: JWK[] }).keys[0] as JWK
})

describe('protected route with tokens from the emulator and minted with jose', () => {
  it('should accept a valid token in the Authorization header (any case of Bearer)', async () => {
    const token = await emulator.sign(claims())
    const response = await get('/api/hello', bearer(token))
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ userId: 'U2sessiontest' })
    expect((await get('/api/hello', { Authorization: `bearer ${token}` })).status).toBe(200)
  })

  it('should accept a valid token in the session cookie', async () => {
    const response = await get('/api/hello', cookie({ [SESSION_COOKIE]: await emulator.sign(claims()) }))
    expect(response.status).toBe(200)
  })

  it('should accept a real session from a passkey sign-up', async () => {
    const user = await signUp()
    const response = await get('/auth/session', cookie({ [SESSION_COOKIE]: user.sessionJwt }))
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ userId: user.userId, expiresAt: expect.any(Number), roles: [], permissions: [], tenants: {}, amr: ['webauthn'] })
  })

  it('should answer 401 with a bare Bearer challenge without any token', async () => {
    await expectUnauthorized(await get('/api/hello'), 'Bearer')
    await expectUnauthorized(await get(`/api/hello?token=${await emulator.sign(claims())}`), 'Bearer')
  })

  it('should refuse other schemes, a bad header even with a valid cookie, and two session cookies (T30)', async () => {
    const token = await emulator.sign(claims())
    await expectUnauthorized(await get('/api/hello', { Authorization: `Basic ${token}` }))
    await expectUnauthorized(await get('/api/hello', { Authorization: token }))
    await expectUnauthorized(await get('/api/hello', { Authorization: 'Bearer garbage', ...cookie({ [SESSION_COOKIE]: token }) }))
    await expectUnauthorized(await get('/api/hello', { Cookie: `${SESSION_COOKIE}=${token}; ${SESSION_COOKIE}=${token}` }))
    const twoHeaders = new Headers()
    twoHeaders.append('Authorization', `Bearer ${token}`)
    twoHeaders.append('Authorization', `Bearer ${token}`)
    const response = await edge.fetch('/api/hello', { headers: twoHeaders })
    await expectUnauthorized(response)
  })

  it('should apply the 5 s tolerance to expiry and refuse a token not yet valid (T27)', async () => {
    await expectUnauthorized(await get('/api/hello', bearer(await emulator.sign(claims({ exp: now() - 6 })))))
    await expectUnauthorized(await get('/api/hello', bearer(await emulator.sign(claims({ exp: now() - 60 })))))
    // Within tolerance: 2 s past exp leaves 3 s for the request.
    expect((await get('/api/hello', bearer(await emulator.sign(claims({ exp: now() - 2 }))))).status).toBe(200)
    await expectUnauthorized(await get('/api/hello', bearer(await emulator.sign(claims({ nbf: now() + 60 })))))
    for (const exp of [undefined, 'never', 0]) {
      await expectUnauthorized(await get('/api/hello', bearer(await emulator.sign(claims({ exp })))))
    }
  })

  it("should accept Descope's issuer forms (bare, or a URL ending with the project ID) and refuse any other (T28)", async () => {
    for (const iss of [PID, `https://api.descope.com/${PID}`, `${EMULATOR_URL}/${PID}`, `https://auth.example.com/${PID}`]) {
      expect((await get('/api/hello', bearer(await emulator.sign(claims({ iss }))))).status).toBe(200)
    }
    for (const iss of [
      `https://api.descope.com/${PID}/more`,
      'P2anotherproject000000000000',
      `https://api.descope.com/P2anotherproject000000000000`,
      undefined,
    ]) {
      await expectUnauthorized(await get('/api/hello', bearer(await emulator.sign(claims({ iss })))))
    }
  })

  it('should refuse alg none and HS256 keyed with the public key (T23, T24)', async () => {
    const encode = (value: unknown) => base64url.encode(JSON.stringify(value))
    await expectUnauthorized(await get('/api/hello', bearer(`${encode({ alg: 'none', kid: jwk.kid })}.${encode(claims())}.`)))
    await expectUnauthorized(await get('/api/hello', bearer(`${encode({ alg: 'none', kid: jwk.kid })}.${encode(claims())}.e30`)))
    const pem = await exportSPKI((await importJWK(jwk, 'RS256', { extractable: true })) as CryptoKey)
    for (const secret of [pem, JSON.stringify(jwk)]) {
      const hs = await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', kid: jwk.kid }).sign(new TextEncoder().encode(secret))
      await expectUnauthorized(await get('/api/hello', bearer(hs)))
    }
    const hsN = await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', kid: jwk.kid }).sign(base64url.decode(jwk.n as string))
    await expectUnauthorized(await get('/api/hello', bearer(hsN)))
  })

  it('should refuse PS256 and ES256 when only RS256 is allowed (T25)', async () => {
    await expectUnauthorized(await get('/api/hello', bearer(await emulator.sign(claims(), { alg: 'PS256' }))))
    const ec = await generateKeyPair('ES256')
    const es = await new SignJWT(claims()).setProtectedHeader({ alg: 'ES256', kid: jwk.kid }).sign(ec.privateKey)
    await expectUnauthorized(await get('/api/hello', bearer(es)))
  })

  it('should refuse unknown and missing kids and a token signed by another key (T26)', async () => {
    await expectUnauthorized(await get('/api/hello', bearer(await emulator.sign(claims(), { kid: 'SK2unknown' }))))
    await expectUnauthorized(await get('/api/hello', bearer(await emulator.sign(claims(), { kid: null }))))
    const attacker = await generateKeyPair('RS256')
    const forged = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'RS256', kid: jwk.kid as string, jku: 'http://127.0.0.1:9/jwks' })
      .sign(attacker.privateKey)
    await expectUnauthorized(await get('/api/hello', bearer(forged)))
  })

  it('should refuse a refresh token (drn DSR) in the header and in the cookie, and a token without drn (T29)', async () => {
    const refresh = await emulator.sign(claims({ drn: 'DSR' }))
    await expectUnauthorized(await get('/api/hello', bearer(refresh)))
    await expectUnauthorized(await get('/api/hello', cookie({ [SESSION_COOKIE]: refresh })))
    await expectUnauthorized(await get('/api/hello', bearer(await emulator.sign(claims({ drn: undefined })))))
    const user = await signUp()
    await expectUnauthorized(await get('/api/hello', bearer(user.refreshJwt)))
    await expectUnauthorized(await get('/api/hello', cookie({ [SESSION_COOKIE]: user.refreshJwt })))
  })

  it('should refuse garbage, malformed, oversized and tampered tokens (T31)', async () => {
    const good = await emulator.sign(claims())
    for (const token of ['garbage', 'a.b', 'a.b.c.d', 'a.b.c.d.e', `${good}.`, good.replace('.', '.%.'), 'x'.repeat(20_000)]) {
      await expectUnauthorized(await get('/api/hello', bearer(token)))
    }
    await expectUnauthorized(await get('/api/hello', bearer(await emulator.sign(claims({ pad: 'x'.repeat(9_000) })))))
    const [header, , signature] = good.split('.')
    const tampered = `${header}.${base64url.encode(JSON.stringify(claims({ sub: 'U2admin', roles: ['admin'] })))}.${signature}`
    await expectUnauthorized(await get('/api/hello', bearer(tampered)))
    // The genuine token still passes, so the refusals above are about the changes.
    expect((await get('/api/hello', bearer(good))).status).toBe(200)
  })
})

describe('step-up, roles and audience', () => {
  it('should refuse a session without su at the step-up route with the RFC 9470 challenge', async () => {
    const response = await get('/api/sensitive', bearer(await emulator.sign(claims())))
    expect(response.status).toBe(401)
    expect(response.headers.get('WWW-Authenticate')).toMatch(/^Bearer error="insufficient_user_authentication"/)
    expect(await response.json()).toMatchObject({ error: { code: 'insufficient_user_authentication' } })
    expect((await get('/api/sensitive', bearer(await emulator.sign(claims({ su: 'true' }))))).status).toBe(401)
  })

  it('should accept a stepped-up session at the step-up route', async () => {
    const response = await get('/api/sensitive', bearer(await emulator.sign(claims({ su: true }))))
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ userId: 'U2sessiontest', stepUp: true })
  })

  it('should answer 403 when a role, permission or tenant is missing (T65)', async () => {
    const app = createApp()
    app.get('/t/admin', requireSession({ roles: ['admin'] }), (c) => c.json({ ok: true }))
    app.get('/t/tenant/:id', requireSession({ tenant: (c) => c.req.param('id'), permissions: ['read'] }), (c) => c.json({ ok: true }))
    const call = async (path: string, token: string) => {
      const ctx = createExecutionContext()
      const response = await app.fetch(new Request(`https://edge.example${path}`, { headers: bearer(token) }), { ...env, DESCOPE_PROJECT_ID: PID }, ctx)
      await waitOnExecutionContext(ctx)
      return response.status
    }
    expect(await call('/t/admin', await emulator.sign(claims({ roles: ['admin'] })))).toBe(200)
    expect(await call('/t/admin', await emulator.sign(claims({ roles: ['user'] })))).toBe(403)
    const tenants = { T1: { roles: [], permissions: ['read'] }, T2: { roles: [], permissions: [] } }
    const token = await emulator.sign(claims({ tenants }))
    expect(await call('/t/tenant/T1', token)).toBe(200)
    expect(await call('/t/tenant/T2', token)).toBe(403)
    expect(await call('/t/tenant/T3', token)).toBe(403)
    expect(await call('/t/tenant/__proto__', token)).toBe(403)
    // `dct` names the tenant of top-level grants only when there is no `tenants` claim (core-js
    // helpers, go-sdk auth.go); with one, top-level grants are project-level and prove nothing about T2.
    const withMap = await emulator.sign(claims({ tenants, dct: 'T2', permissions: ['read'] }))
    expect(await call('/t/tenant/T2', withMap)).toBe(403)
    expect(await call('/t/tenant/T1', withMap)).toBe(200)
    const emptyMap = await emulator.sign(claims({ tenants: {}, dct: 'T2', permissions: ['read'] }))
    expect(await call('/t/tenant/T2', emptyMap)).toBe(403)
    // Tenant-only schema: no `tenants` (or `null` from `empty_claim_policy: nil`), the current tenant at the top level.
    for (const tenantOnly of [{}, { tenants: null }]) {
      const current = await emulator.sign(claims({ ...tenantOnly, dct: 'T2', permissions: ['read'] }))
      expect(await call('/t/tenant/T2', current), JSON.stringify(tenantOnly)).toBe(200)
      expect(await call('/t/tenant/T1', current), JSON.stringify(tenantOnly)).toBe(403)
    }
  })

  it('should check the audience when one is configured (T28)', async () => {
    const strict = edgeFor(undefined, { SESSION_AUDIENCE: 'my-app' })
    const sign = (aud?: unknown) => strict.emulator.sign({ ...claims({ iss: strict.projectId }), ...(aud === undefined ? {} : { aud }) })
    const status = async (token: string) => (await strict.fetch('/api/hello', { headers: bearer(token) })).status
    expect(await status(await sign('my-app'))).toBe(200)
    expect(await status(await sign(['other', 'my-app']))).toBe(200)
    expect(await status(await sign('other-app'))).toBe(401)
    expect(await status(await sign())).toBe(401)
  })
})

describe('session routes, edge refresh and logout', () => {
  const post = (path: string, headers: Record<string, string> = {}) => edge.fetch(path, { method: 'POST', headers: { Origin: ORIGIN, ...headers } })
  const newSessionCookie = (response: Response) =>
    response.headers
      .getAll('Set-Cookie')
      .find((line) => line.startsWith(`${SESSION_COOKIE}=`))
      ?.split(';')[0]
      ?.slice(3)

  it('should refresh an expired session cookie at the edge and proceed', async () => {
    const user = await signUp()
    const expired = await emulator.sign(claims({ sub: user.userId, exp: now() - 60 }))
    await emulator.resetCalls()
    const response = await get('/api/hello', cookie({ [SESSION_COOKIE]: expired, [REFRESH_COOKIE]: user.refreshJwt }))
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ userId: user.userId })
    const fresh = newSessionCookie(response)
    expect(fresh).toBeTruthy()
    expect(response.headers.getAll('Set-Cookie').find((line) => line.startsWith(`${SESSION_COOKIE}=`))).toMatch(/HttpOnly; Secure; SameSite=Strict/)
    expect(await emulator.count('POST /v1/auth/refresh')).toBe(1)
    // And with no session cookie at all (the browser dropped it at its max-age).
    expect((await get('/api/hello', cookie({ [REFRESH_COOKIE]: user.refreshJwt }))).status).toBe(200)
  })

  it('should share one refresh among concurrent requests with the same refresh cookie', async () => {
    const user = await signUp()
    await emulator.resetCalls()
    const responses = await Promise.all(Array.from({ length: 6 }, () => get('/api/hello', cookie({ [REFRESH_COOKIE]: user.refreshJwt }))))
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200, 200, 200])
    expect(await emulator.count('POST /v1/auth/refresh')).toBe(1)
  })

  it('should never refresh a Bearer request, nor a cookie that is invalid rather than expired', async () => {
    const user = await signUp()
    await emulator.resetCalls()
    const expired = await emulator.sign(claims({ sub: user.userId, exp: now() - 60 }))
    await expectUnauthorized(await get('/api/hello', { ...bearer(expired), ...cookie({ [REFRESH_COOKIE]: user.refreshJwt }) }))
    await expectUnauthorized(await get('/api/hello', cookie({ [SESSION_COOKIE]: 'garbage', [REFRESH_COOKIE]: user.refreshJwt })))
    // A refresh cookie that is not a valid DSR token never reaches Descope.
    await expectUnauthorized(await get('/api/hello', cookie({ [SESSION_COOKIE]: expired, [REFRESH_COOKIE]: await emulator.sign(claims({ drn: 'DS' })) })))
    expect(await emulator.count('POST /v1/auth/refresh')).toBe(0)
  })

  it('should refresh with POST /auth/refresh from an allowed origin only (T41)', async () => {
    const user = await signUp()
    const refused = await edge.fetch('/auth/refresh', { method: 'POST', headers: cookie({ [REFRESH_COOKIE]: user.refreshJwt }) })
    expect(refused.status).toBe(403)
    expect((await post('/auth/refresh', { ...cookie({ [REFRESH_COOKIE]: user.refreshJwt }), Origin: 'https://evil.example' })).status).toBe(403)
    await expectUnauthorized(await post('/auth/refresh'), 'Bearer')
    const response = await post('/auth/refresh', cookie({ [REFRESH_COOKIE]: user.refreshJwt }))
    expect(response.status).toBe(200)
    const body = (await response.json()) as { sessionExpiration: number }
    expect(body.sessionExpiration).toBeGreaterThan(now())
    expect(newSessionCookie(response)).toBeTruthy()
  })

  it('should answer GET /auth/me with the Descope user of the session', async () => {
    const user = await signUp()
    const response = await get('/auth/me', cookie({ [SESSION_COOKIE]: user.sessionJwt, [REFRESH_COOKIE]: user.refreshJwt }))
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ userId: user.userId })
    await expectUnauthorized(await get('/auth/me', bearer(user.sessionJwt)))
    const other = await signUp()
    await expectUnauthorized(await get('/auth/me', cookie({ [SESSION_COOKIE]: user.sessionJwt, [REFRESH_COOKIE]: other.refreshJwt })))
  })

  it('should log out: revoke at Descope, clear cookies, then refuse the refresh and the protected route (T40)', async () => {
    const user = await signUp()
    expect((await edge.fetch('/auth/logout', { method: 'POST', headers: cookie({ [REFRESH_COOKIE]: user.refreshJwt }) })).status).toBe(403)
    const response = await post('/auth/logout', cookie({ [SESSION_COOKIE]: user.sessionJwt, [REFRESH_COOKIE]: user.refreshJwt }))
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ ok: true })
    const cleared = response.headers.getAll('Set-Cookie')
    expect(cleared.some((line) => /^__Host-DS=;.*Max-Age=0/.test(line))).toBe(true)
    expect(cleared.some((line) => /^__Host-DSR=;.*Max-Age=0/.test(line))).toBe(true)
    const refresh = await post('/auth/refresh', cookie({ [REFRESH_COOKIE]: user.refreshJwt }))
    await expectUnauthorized(refresh)
    expect(refresh.headers.getAll('Set-Cookie').some((line) => /^__Host-DSR=;/.test(line))).toBe(true)
    await expectUnauthorized(await get('/api/hello', cookie({ [REFRESH_COOKIE]: user.refreshJwt })))
    await expectUnauthorized(
      await get(
        '/api/hello',
        cookie({ [SESSION_COOKIE]: await emulator.sign(claims({ sub: user.userId, exp: now() - 60 })), [REFRESH_COOKIE]: user.refreshJwt })
      )
    )
    // Logging out twice (or with no cookie) is still a sign-out.
    expect((await post('/auth/logout', cookie({ [REFRESH_COOKIE]: user.refreshJwt }))).status).toBe(200)
    expect((await post('/auth/logout')).status).toBe(200)
  })

  it('should map Descope failures during a refresh: 429 + Retry-After, 504, 502', async () => {
    const slow = edgeFor(undefined, { DESCOPE_TIMEOUT_MS: '200' })
    const descope = createDescopeClient({ baseUrl: EMULATOR_URL, projectId: slow.projectId, timeoutMs: 5000 })
    const start = await descope.signUpStart({ loginId: 'faults@example.com', origin: ORIGIN })
    const credential = await new SoftwareAuthenticator().create(JSON.parse(start.options), ORIGIN)
    const { refreshJwt } = await descope.signUpFinish({ transactionId: start.transactionId, response: JSON.stringify(credential) })
    const call = () => slow.fetch('/api/hello', { headers: cookie({ [REFRESH_COOKIE]: refreshJwt as string }) })
    await slow.emulator.fault({ route: 'POST /v1/auth/refresh', status: 429, headers: { 'Retry-After': '7' }, times: 1 })
    const limited = await call()
    expect(limited.status).toBe(429)
    expect(limited.headers.get('Retry-After')).toBe('7')
    await slow.emulator.fault({ route: 'POST /v1/auth/refresh', latencyMs: 1_000, times: 1 })
    expect((await call()).status).toBe(504)
    await slow.emulator.fault({ route: 'POST /v1/auth/refresh', status: 500, times: 1 })
    const failed = await call()
    expect(failed.status).toBe(502)
    expect(await failed.json()).toMatchObject({ error: { code: 'upstream_error' } })
    // A logout Descope cannot complete still clears the cookies.
    await slow.emulator.fault({ route: 'POST /v1/auth/logout', status: 503, times: 2 })
    const logout = await slow.fetch('/auth/logout', { method: 'POST', headers: { Origin: ORIGIN, ...cookie({ [REFRESH_COOKIE]: refreshJwt as string }) } })
    expect(logout.status).toBe(502)
    expect(logout.headers.getAll('Set-Cookie').some((line) => /^__Host-DSR=;.*Max-Age=0/.test(line))).toBe(true)
  })
})
