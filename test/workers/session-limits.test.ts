/**
 * Routes that spend Descope calls or KV reads are limited per client (docs/threat-model.md, T58):
 * `/auth/me`, `/auth/refresh`, `/auth/logout`, `/auth/logout-all`, `/readyz` and every refresh a
 * session check makes (the Worker's `requireSession()` and the RPC check) count against the client
 * IP's bucket; and a refresh token Descope refused is not sent again for a minute (a revoked token
 * still verifies at the edge).
 */
import { createExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { SessionVerifier } from '../../src/package/entrypoint'
import { ORIGIN, REFRESH_COOKIE, SESSION_COOKIE, edgeFor, newProjectId } from '../support/edge'
import { Browser, jwtPayload, newLoginId, type Edge } from './passkey-helpers'

/** The test binding's limit per IP (vitest.config.ts). */
const IP_LIMIT = 10
const { TEST_LIMIT_IP, TEST_LIMIT_LOGIN_ID } = env as unknown as Record<string, RateLimit>
const now = () => Math.floor(Date.now() / 1000)

function limitedEdge(): Edge {
  return edgeFor(newProjectId(), { RATE_LIMIT_IP: TEST_LIMIT_IP!, RATE_LIMIT_LOGIN_ID: TEST_LIMIT_LOGIN_ID! })
}

/** Fixed 60 s windows aligned to the clock: wait out the last seconds of one first (as rate-limit.test.ts). */
async function awayFromWindowEdge(): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000)
  if (left < 5_000) await new Promise((resolve) => setTimeout(resolve, left + 50))
}

async function signedIn(edge: Edge) {
  const browser = new Browser(edge)
  await browser.signUp(newLoginId('limits'))
  const session = browser.jar.cookies.get(SESSION_COOKIE)!
  const refresh = browser.jar.cookies.get(REFRESH_COOKIE)!
  const expired = await edge.emulator.sign({ ...jwtPayload(session), iat: now() - 700, exp: now() - 60 })
  return { session, refresh, expired, cookie: `${SESSION_COOKIE}=${session}; ${REFRESH_COOKIE}=${refresh}` }
}

const call = (edge: Edge, method: string, path: string, ip: string, cookie = '') =>
  edge.fetch(path, { method, headers: { 'CF-Connecting-IP': ip, ...(method === 'POST' ? { Origin: ORIGIN } : {}), ...(cookie ? { Cookie: cookie } : {}) } })

describe('per-client limits on the session routes (T58)', () => {
  it('should answer 429 after the limit on /auth/me, with no more calls to Descope', async () => {
    const edge = limitedEdge()
    const user = await signedIn(edge)
    await awayFromWindowEdge()
    await edge.emulator.resetCalls()
    for (let index = 0; index < IP_LIMIT; index++) expect((await call(edge, 'GET', '/auth/me', '203.0.113.20', user.cookie)).status).toBe(200)
    const limited = await call(edge, 'GET', '/auth/me', '203.0.113.20', user.cookie)
    expect(limited.status).toBe(429)
    expect(limited.headers.get('Retry-After')).toBe('60')
    expect((await edge.emulator.calls())['GET /v1/auth/me']).toBe(IP_LIMIT)
    // Another client is not affected.
    expect((await call(edge, 'GET', '/auth/me', '203.0.113.21', user.cookie)).status).toBe(200)
  })

  it('should count /readyz, /auth/refresh, /auth/logout and /auth/logout-all against the same bucket', async () => {
    const edge = limitedEdge()
    const user = await signedIn(edge)
    await awayFromWindowEdge()
    for (let index = 0; index < IP_LIMIT; index++) expect((await call(edge, 'GET', '/readyz', '203.0.113.22')).status).toBe(200)
    await edge.emulator.resetCalls()
    expect((await call(edge, 'GET', '/readyz', '203.0.113.22')).status).toBe(429)
    for (const path of ['/auth/refresh', '/auth/logout', '/auth/logout-all']) {
      expect((await call(edge, 'POST', path, '203.0.113.22', user.cookie)).status, path).toBe(429)
    }
    expect(Object.values(await edge.emulator.calls()).reduce((sum, count) => sum + count, 0)).toBe(0)
  })

  it('should count an implicit refresh, in the Worker and over RPC, and refuse it without calling Descope once the bucket is spent', async () => {
    const edge = limitedEdge()
    const user = await signedIn(edge)
    const rpc = new SessionVerifier(createExecutionContext(), { ...env, DESCOPE_PROJECT_ID: edge.projectId, RATE_LIMIT_IP: TEST_LIMIT_IP } as never)
    await awayFromWindowEdge()
    for (let index = 0; index < IP_LIMIT; index++) expect((await call(edge, 'GET', '/readyz', '203.0.113.23')).status).toBe(200)
    await edge.emulator.resetCalls()
    const expiredCookie = `${SESSION_COOKIE}=${user.expired}; ${REFRESH_COOKIE}=${user.refresh}`
    expect((await call(edge, 'GET', '/api/hello', '203.0.113.23', expiredCookie)).status).toBe(429)
    const headers = { Cookie: expiredCookie, 'CF-Connecting-IP': '203.0.113.23' }
    expect(await rpc.verifyRequest({ headers, method: 'GET' }, { refresh: true })).toMatchObject({ ok: false, status: 429 })
    expect((await edge.emulator.calls())['POST /v1/auth/refresh'] ?? 0).toBe(0)
    // A valid session is checked locally: no count, no 429.
    expect((await call(edge, 'GET', '/api/hello', '203.0.113.23', `${SESSION_COOKIE}=${user.session}`)).status).toBe(200)
  })
})

describe('a refresh token Descope refused (T58)', () => {
  it('should not be sent to Descope again: refresh, me and the implicit refresh each call once at most', async () => {
    const edge = edgeFor()
    const user = await signedIn(edge)
    // Revoked at Descope (signed out elsewhere): it still verifies at the edge.
    expect((await edge.emulator.refresh(user.refresh)).status).toBe(200)
    const revoke = await edge.fetch('/auth/logout-all', { method: 'POST', headers: { Origin: ORIGIN, Cookie: user.cookie } })
    expect(revoke.status).toBe(200)
    await edge.emulator.resetCalls()
    for (let index = 0; index < 5; index++) {
      expect((await edge.fetch('/auth/refresh', { method: 'POST', headers: { Origin: ORIGIN, Cookie: `${REFRESH_COOKIE}=${user.refresh}` } })).status).toBe(401)
      expect((await edge.fetch('/api/hello', { headers: { Cookie: `${SESSION_COOKIE}=${user.expired}; ${REFRESH_COOKIE}=${user.refresh}` } })).status).toBe(401)
      expect((await edge.fetch('/auth/me', { headers: { Cookie: user.cookie } })).status).toBe(401)
    }
    const calls = await edge.emulator.calls()
    expect([calls['POST /v1/auth/refresh'] ?? 0, calls['GET /v1/auth/me'] ?? 0]).toEqual([1, 0])
  })
})
