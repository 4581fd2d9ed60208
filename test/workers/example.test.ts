/**
 * examples/worker — another Worker built against the packed package — protects its routes with
 * `descopeSession()` (in its own isolate) and with a service binding to this Worker's
 * `SessionVerifier` (RPC), refresh included. Real tokens from passkey sign-ups at the emulator.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { createDescopeClient } from '../../src/descope/client'
import { SoftwareAuthenticator } from '../support/authenticator'
import { EMULATOR_URL, ORIGIN, emulatorControl, SESSION_COOKIE, REFRESH_COOKIE } from '../support/edge'
import { parseSetCookie } from './passkey-helpers'

/** vitest.config.ts's TEST_PROJECT_ID: the project of both Workers. */
const PID = 'P2passkeyedgetest0000000000A'
const emulator = emulatorControl(PID)
const example = (env as unknown as { EXAMPLE: Fetcher }).EXAMPLE
const now = () => Math.floor(Date.now() / 1000)

async function signUp() {
  const descope = createDescopeClient({ baseUrl: EMULATOR_URL, projectId: PID, timeoutMs: 5000 })
  const loginId = `example-${crypto.randomUUID()}@example.com`
  const start = await descope.signUpStart({ loginId, origin: ORIGIN })
  const credential = await new SoftwareAuthenticator().create(JSON.parse(start.options), ORIGIN)
  const tokens = await descope.signUpFinish({ transactionId: start.transactionId, response: JSON.stringify(credential) })
  return { sessionJwt: tokens.sessionJwt, refreshJwt: tokens.refreshJwt as string, userId: tokens.user?.userId as string }
}

async function get(path: string, headers: Record<string, string> = {}) {
  const response = await example.fetch(`https://site.example${path}`, { headers })
  const cookies = response.headers.getAll('Set-Cookie').map(parseSetCookie)
  return { status: response.status, headers: response.headers, cookies, body: (await response.json()) as Record<string, any> }
}

for (const [kind, base] of [
  ['descopeSession() in the other Worker', '/reports/local'],
  ['the SessionVerifier service binding', '/reports/remote'],
] as const) {
  describe(`example Worker: ${kind}`, () => {
    it('should let a signed-in browser through with its session cookie, and a Bearer token', async () => {
      const user = await signUp()
      const viaCookie = await get(`${base}/me`, { Cookie: `${SESSION_COOKIE}=${user.sessionJwt}` })
      expect(viaCookie.status).toBe(200)
      expect(viaCookie.body).toMatchObject({ userId: user.userId })
      expect(viaCookie.cookies).toEqual([])
      expect((await get(`${base}/me`, { Authorization: `Bearer ${user.sessionJwt}` })).body.userId).toBe(user.userId)
    })

    it("should answer passkey-edge's 401 with its challenge without a session", async () => {
      const none = await get(`${base}/me`)
      expect(none.status).toBe(401)
      expect(none.body).toEqual({ error: { code: 'unauthorized', message: expect.any(String), requestId: expect.any(String) } })
      expect(none.headers.get('WWW-Authenticate')).toBe('Bearer')
      const forged = await get(`${base}/me`, { Authorization: 'Bearer not.a.token' })
      expect(forged.status).toBe(401)
      expect(forged.headers.get('WWW-Authenticate')).toBe('Bearer error="invalid_token"')
    })

    it('should answer 403 insufficient_scope for a missing role', async () => {
      const user = await signUp()
      const refused = await get(`${base}/admin`, { Cookie: `${SESSION_COOKIE}=${user.sessionJwt}` })
      expect(refused.status).toBe(403)
      expect(refused.body.error.code).toBe('forbidden')
      expect(refused.headers.get('WWW-Authenticate')).toBe('Bearer error="insufficient_scope"')
      const admin = await emulator.sign({ iss: PID, sub: user.userId, iat: now() - 5, exp: now() + 600, drn: 'DS', roles: ['admin'] })
      expect((await get(`${base}/admin`, { Cookie: `${SESSION_COOKIE}=${admin}` })).status).toBe(200)
    })

    it('should refresh an expired session with the refresh cookie and set the new cookies', async () => {
      const user = await signUp()
      const expired = await emulator.sign({ iss: PID, sub: user.userId, iat: now() - 700, exp: now() - 60, drn: 'DS' })
      const refreshed = await get(`${base}/me`, { Cookie: `${SESSION_COOKIE}=${expired}; ${REFRESH_COOKIE}=${user.refreshJwt}` })
      expect(refreshed.status).toBe(200)
      expect(refreshed.body.userId).toBe(user.userId)
      const session = refreshed.cookies.find((cookie) => cookie.name === SESSION_COOKIE)
      expect(session?.attributes).toMatchObject({ httponly: true, secure: true, samesite: 'Strict', path: '/' })
      expect(session?.attributes).not.toHaveProperty('domain')
      expect(refreshed.headers.get('Cache-Control')).toBe('no-store')
      // The new session cookie is a session of the same user, good on either route.
      const again = await get(`${base}/me`, { Cookie: `${SESSION_COOKIE}=${session?.value}` })
      expect(again.body.userId).toBe(user.userId)
      // A forged refresh cookie never gets one.
      const forged = await get(`${base}/me`, {
        Cookie: `${SESSION_COOKIE}=${expired}; ${REFRESH_COOKIE}=${await emulator.sign({ iss: PID, sub: user.userId, exp: now() + 600, drn: 'DS' })}`,
      })
      expect(forged.status).toBe(401)
      expect(forged.cookies).toEqual([])
    })

    it('should put the cookies of a refresh on the refusal that follows it (a role missing)', async () => {
      const user = await signUp()
      const expired = await emulator.sign({ iss: PID, sub: user.userId, iat: now() - 700, exp: now() - 60, drn: 'DS' })
      const refused = await get(`${base}/admin`, { Cookie: `${SESSION_COOKIE}=${expired}; ${REFRESH_COOKIE}=${user.refreshJwt}` })
      expect(refused.status).toBe(403)
      expect(refused.cookies.map((cookie) => cookie.name)).toContain(SESSION_COOKIE)
      expect(refused.headers.get('Cache-Control')).toBe('no-store')
    })
  })
}

describe('example Worker: step-up', () => {
  it('should ask for a passkey confirmation (RFC 9470) when step-up is required', async () => {
    const user = await signUp()
    const plain = await get('/reports/local/confirm', { Cookie: `${SESSION_COOKIE}=${user.sessionJwt}` })
    expect(plain.status).toBe(401)
    expect(plain.headers.get('WWW-Authenticate')).toMatch(/^Bearer error="insufficient_user_authentication"/)
    const stepped = await emulator.sign({ iss: PID, sub: user.userId, iat: now() - 5, exp: now() + 600, drn: 'DS', su: true })
    expect((await get('/reports/local/confirm', { Cookie: `${SESSION_COOKIE}=${stepped}` })).status).toBe(200)
  })
})
