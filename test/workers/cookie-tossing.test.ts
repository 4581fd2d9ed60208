/**
 * Cookie tossing (docs/threat-model.md, T54): a sibling subdomain can set a cookie under the
 * session cookie's name with `Domain=<parent>`; browsers refuse that for `__Host-` names. So the
 * session and refresh cookies default to `__Host-DS` / `__Host-DSR`, and every reader — the
 * Worker's routes, the package's `descopeSession()` and `createVerifier()`, the RPC
 * `SessionVerifier` — reads only the configured names: a planted look-alike beside them changes
 * nothing, and alone signs no one in. (The browser's side, in Chromium: test/e2e/cookie-tossing.test.ts.)
 */
import { createExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { Hono } from 'hono'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Env } from '../../src/env'
import { descopeSession } from '../../src/package/descope-session'
import { SessionVerifier } from '../../src/package/entrypoint'
import { createVerifier } from '../../src/package/standalone'
import { EMULATOR_URL, ORIGIN, REFRESH_COOKIE, SESSION_COOKIE, edgeFor } from '../support/edge'
import { Browser, jwtPayload, newLoginId, parseSetCookie, setCookiesOf } from './passkey-helpers'

const edge = edgeFor()
const now = () => Math.floor(Date.now() / 1000)

/** Two real users of the project: the victim's browser, and the attacker who plants their own tokens. */
const victim = { session: '', refresh: '', userId: '' }
const attacker = { session: '', refresh: '', userId: '' }

beforeAll(async () => {
  for (const [user, name] of [
    [victim, 'victim'],
    [attacker, 'attacker'],
  ] as const) {
    const browser = new Browser(edge)
    const finish = await browser.signUp(newLoginId(name))
    Object.assign(user, {
      session: browser.jar.cookies.get(SESSION_COOKIE)!,
      refresh: browser.jar.cookies.get(REFRESH_COOKIE)!,
      userId: finish.body.user.userId,
    })
  }
})

/** An expired session token of a user (what a browser holds when the edge should refresh). */
const expiredSession = (token: string) => edge.emulator.sign({ ...jwtPayload(token), iat: now() - 700, exp: now() - 60 })

async function sessionOf(cookie: string, target = edge) {
  const response = await target.fetch('/auth/session', { headers: { Cookie: cookie } })
  return { status: response.status, userId: response.status === 200 ? ((await response.json()) as { userId: string }).userId : undefined }
}

describe('default cookie names (T54)', () => {
  it('should set __Host-DS and __Host-DSR as browsers require of the prefix: Secure, Path=/, no Domain', async () => {
    const browser = new Browser(edge)
    const finish = await browser.signUp(newLoginId())
    const cookies = setCookiesOf(finish.response).filter((cookie) => !cookie.name.startsWith('__Host-ptx-'))
    expect(cookies.map((cookie) => cookie.name)).toEqual(['__Host-DS', '__Host-DSR'])
    for (const cookie of cookies) {
      expect(cookie.attributes).toMatchObject({ secure: true, path: '/' })
      expect(cookie.attributes).not.toHaveProperty('domain')
    }
  })
})

describe('a planted look-alike (T54)', () => {
  it('should use only the configured session cookie when look-alikes are planted beside it, in any order', async () => {
    const planted = [
      `DS=${attacker.session}`,
      `__host-DS=${attacker.session}`,
      `__HOST-DS=${attacker.session}`,
      `__Host-ds=${attacker.session}`,
      ` DS=${attacker.session}`,
    ]
    for (const lookAlike of planted) {
      for (const cookie of [`${lookAlike}; __Host-DS=${victim.session}`, `__Host-DS=${victim.session}; ${lookAlike}`]) {
        expect(await sessionOf(cookie), cookie.replace(/=[^;]+/g, '=…')).toEqual({ status: 200, userId: victim.userId })
      }
    }
  })

  it('should refresh with the configured refresh cookie only, whatever DSR sits beside it', async () => {
    const expired = await expiredSession(victim.session)
    for (const cookie of [
      `DSR=${attacker.refresh}; __Host-DS=${expired}; __Host-DSR=${victim.refresh}`,
      `__Host-DS=${expired}; __Host-DSR=${victim.refresh}; DS=${attacker.session}`,
    ]) {
      const response = await edge.fetch('/api/hello', { headers: { Cookie: cookie } })
      expect(response.status).toBe(200)
      expect(((await response.json()) as { userId: string }).userId).toBe(victim.userId)
      expect(setCookiesOf(response).map((line) => line.name)).toContain(SESSION_COOKIE)
    }
  })

  it('should sign no one in with planted cookies alone (no login CSRF), and send a planted refresh token nowhere', async () => {
    await edge.emulator.resetCalls()
    expect(await sessionOf(`DS=${attacker.session}`)).toEqual({ status: 401, userId: undefined })
    expect((await edge.fetch('/api/hello', { headers: { Cookie: `DS=${await expiredSession(attacker.session)}; DSR=${attacker.refresh}` } })).status).toBe(401)
    const post = (path: string) => edge.fetch(path, { method: 'POST', headers: { Origin: ORIGIN, Cookie: `DS=${attacker.session}; DSR=${attacker.refresh}` } })
    expect((await post('/auth/refresh')).status).toBe(401)
    expect((await post('/auth/logout-all')).status).toBe(401)
    expect((await post('/auth/logout')).status).toBe(200)
    expect((await edge.fetch('/auth/me', { headers: { Cookie: `DS=${attacker.session}; DSR=${attacker.refresh}` } })).status).toBe(401)
    const calls = await edge.emulator.calls()
    expect(['POST /v1/auth/refresh', 'POST /v1/auth/logout', 'POST /v1/auth/logoutall', 'GET /v1/auth/me'].map((route) => calls[route] ?? 0)).toEqual([
      0, 0, 0, 0,
    ])
  })
})

describe('a refresh cookie planted beside the real one (plain names) (T54)', () => {
  const plain = edgeFor(edge.projectId, { SESSION_COOKIE_NAME: 'DS', REFRESH_COOKIE_NAME: 'DSR' })
  const freshRefresh = async (name: string) => {
    const browser = new Browser(edge)
    await browser.signUp(newLoginId(name))
    return browser.jar.cookies.get(REFRESH_COOKIE)!
  }
  const refreshWith = async (target: typeof plain, refresh: string) =>
    (await target.fetch('/auth/refresh', { method: 'POST', headers: { Origin: ORIGIN, Cookie: `DSR=${refresh}` } })).status

  for (const route of ['/auth/logout', '/auth/logout-all']) {
    it(`should still revoke the browser's own refresh token on ${route}, in either order`, async () => {
      for (const order of ['planted first', 'planted last']) {
        const own = await freshRefresh('victim')
        const planted = await freshRefresh('attacker')
        const cookie = order === 'planted first' ? `DSR=${planted}; DSR=${own}` : `DSR=${own}; DSR=${planted}`
        const response = await plain.fetch(route, { method: 'POST', headers: { Origin: ORIGIN, Cookie: cookie } })
        expect(response.status, order).toBe(200)
        expect(
          setCookiesOf(response).map((line) => line.name),
          order
        ).toEqual(['DS', 'DSR'])
        expect(await refreshWith(plain, own), order).toBe(401)
      }
    })
  }

  it("should refresh with neither of two refresh cookies, in either order: no session of the planter's, Descope not asked", async () => {
    const expired = await expiredSession(victim.session)
    for (const order of ['planted first', 'planted last']) {
      const both = order === 'planted first' ? `DSR=${attacker.refresh}; DSR=${victim.refresh}` : `DSR=${victim.refresh}; DSR=${attacker.refresh}`
      await edge.emulator.resetCalls()
      const refreshed = await plain.fetch('/auth/refresh', { method: 'POST', headers: { Origin: ORIGIN, Cookie: both } })
      const implicit = await plain.fetch('/api/hello', { headers: { Cookie: `DS=${expired}; ${both}` } })
      expect([refreshed.status, implicit.status], order).toEqual([401, 401])
      expect(await edge.emulator.count('POST /v1/auth/refresh'), order).toBe(0)
    }
  })

  it('should send nothing for a forged second refresh cookie, and still revoke the real one', async () => {
    const own = await freshRefresh('victim')
    await edge.emulator.resetCalls()
    const response = await plain.fetch('/auth/logout', { method: 'POST', headers: { Origin: ORIGIN, Cookie: `DSR=forged.not.jwt; DSR=${own}` } })
    expect(response.status).toBe(200)
    expect((await edge.emulator.calls())['POST /v1/auth/logout']).toBe(1)
    expect(await refreshWith(plain, own)).toBe(401)
  })
})

describe('every reader follows the configured names (T54)', () => {
  const namings = [
    { label: 'default', names: undefined, session: '__Host-DS', refresh: '__Host-DSR', other: 'DS' },
    { label: 'plain', names: { session: 'DS', refresh: 'DSR' }, session: 'DS', refresh: 'DSR', other: '__Host-DS' },
    { label: 'custom', names: { session: '__Host-app-s', refresh: '__Host-app-r' }, session: '__Host-app-s', refresh: '__Host-app-r', other: '__Host-DS' },
  ]

  /** One session check per reader, by cookie header: the user it signed in (or the status) and the cookies a refresh set. */
  function readers(naming: (typeof namings)[number]) {
    const vars: Partial<Env> = naming.names ? { SESSION_COOKIE_NAME: naming.names.session, REFRESH_COOKIE_NAME: naming.names.refresh } : {}
    const worker = edgeFor(edge.projectId, vars)
    const rpc = new SessionVerifier(createExecutionContext(), { ...env, DESCOPE_PROJECT_ID: edge.projectId, ...vars } as never)
    const options = { projectId: edge.projectId, baseUrl: EMULATOR_URL, sessionCookie: naming.names?.session, refreshCookie: naming.names?.refresh }
    const app = new Hono().get('/me', descopeSession(options), (c) => c.json({ userId: c.var.session.userId }))
    const verifier = createVerifier(options)
    type Check = (cookie: string) => Promise<{ result: string; setCookie: string[] }>
    const fromResponse = async (response: Response) => ({
      result: response.status === 200 ? ((await response.json()) as { userId: string }).userId : String(response.status),
      setCookie: response.headers.getAll('Set-Cookie'),
    })
    const fromOutcome = (outcome: { ok: boolean; status?: number; session?: { userId: string }; setCookie?: string[] }) => ({
      result: outcome.ok ? outcome.session!.userId : String(outcome.status),
      setCookie: outcome.setCookie ?? [],
    })
    const checks: Array<[string, Check]> = [
      ['requireSession', async (cookie) => fromResponse(await worker.fetch('/api/hello', { headers: { Cookie: cookie } }))],
      ['descopeSession', async (cookie) => fromResponse(await app.request('/me', { headers: { Cookie: cookie } }))],
      ['createVerifier', async (cookie) => fromOutcome(await verifier.verifyRequest({ headers: { Cookie: cookie }, method: 'GET' }, { refresh: true }))],
      ['SessionVerifier', async (cookie) => fromOutcome(await rpc.verifyRequest({ headers: { Cookie: cookie }, method: 'GET' }, { refresh: true }))],
    ]
    return checks
  }

  for (const naming of namings) {
    it(`should read, refresh and set the ${naming.label} names in the Worker, the package and over RPC, and ignore ${naming.other}`, async () => {
      const expired = await expiredSession(victim.session)
      for (const [reader, check] of readers(naming)) {
        expect(await check(`${naming.session}=${victim.session}`), reader).toEqual({ result: victim.userId, setCookie: [] })
        expect((await check(`${naming.other}=${victim.session}`)).result, reader).toBe('401')
        // An expired session is refreshed with the configured refresh cookie, and the new cookies carry the configured names.
        const refreshed = await check(`${naming.session}=${expired}; ${naming.refresh}=${victim.refresh}`)
        expect(refreshed.result, reader).toBe(victim.userId)
        const names = refreshed.setCookie.map((line) => parseSetCookie(line).name)
        expect(names, reader).toContain(naming.session)
        expect(
          names.filter((name) => name !== naming.session && name !== naming.refresh),
          reader
        ).toEqual([])
        expect((await check(`${naming.session}=${expired}; ${naming.other}R=${victim.refresh}`)).result, reader).toBe('401')
      }
    })
  }
})
