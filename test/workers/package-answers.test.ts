/**
 * What the package answers, whatever its caller hands it or answers with.
 *
 * `descopeSession()` puts an edge refresh's cookies on the app's answer, whatever
 * kind of answer the route gives: `c.json()`, a `Response` it built itself, the answer of a
 * `fetch()` it proxies, or an error its own `onError` answers. A rotated refresh token that does
 * not reach the browser signs the user out at the next refresh (the old one is revoked).
 */
import { createExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { beforeAll, describe, expect, it } from 'vitest'
import { descopeSession, requireAccess, requireSession } from '../../src/package/descope-session'
import { SessionVerifier } from '../../src/package/entrypoint'
import { createVerifier } from '../../src/package/standalone'
import { EMULATOR_URL, REFRESH_COOKIE, SESSION_COOKIE, edgeFor } from '../support/edge'
import { Browser, jwtPayload, newLoginId, parseSetCookie, setCookiesOf } from './passkey-helpers'

const edge = edgeFor()
const now = () => Math.floor(Date.now() / 1000)

beforeAll(async () => {
  await edge.emulator.settings({ refresh_token_rotation: true })
})

/** A signed-up browser's tokens. */
async function signedUp() {
  const browser = new Browser(edge)
  await browser.signUp(newLoginId('answer'))
  return { session: browser.jar.cookies.get(SESSION_COOKIE)!, refresh: browser.jar.cookies.get(REFRESH_COOKIE)! }
}

const app = new Hono()
app.use('*', descopeSession({ projectId: edge.projectId, baseUrl: EMULATOR_URL }))
app.get('/json', (c) => c.json({ ok: true }))
app.get('/admin', requireAccess({ roles: ['admin'] }), (c) => c.json({ ok: true }))
app.get('/raw', () => new Response('ok', { headers: { 'Cache-Control': 'public, max-age=60' } }))
// An answer with immutable headers, as a proxied origin's is.
app.get('/proxied', () => fetch(`${EMULATOR_URL}/v2/keys/${edge.projectId}`))
app.get('/throws', () => {
  throw new HTTPException(418, { message: 'teapot' })
})
app.onError((error) => (error instanceof HTTPException ? error.getResponse() : new Response('error', { status: 500 })))

describe('descopeSession() after an edge refresh', () => {
  for (const path of ['/json', '/raw', '/proxied', '/throws', '/admin']) {
    it(`should set the new session and rotated refresh cookies, never stored, on ${path}`, async () => {
      const user = await signedUp()
      const expired = await edge.emulator.sign({ ...jwtPayload(user.session), iat: now() - 700, exp: now() - 60 })
      const response = await app.request(path, { headers: { Cookie: `${SESSION_COOKIE}=${expired}; ${REFRESH_COOKIE}=${user.refresh}` } })
      await response.arrayBuffer()
      const cookies = setCookiesOf(response)
      expect(
        cookies.map((cookie) => cookie.name),
        path
      ).toEqual([SESSION_COOKIE, REFRESH_COOKIE])
      expect(response.headers.get('Cache-Control'), path).toBe('no-store')
      // The browser now holds the one refresh token Descope still accepts.
      expect((await edge.emulator.refresh(cookies[1]!.value)).status, path).toBe(200)
    })
  }

  it('should leave an answer without a refresh as the route made it', async () => {
    const user = await signedUp()
    const response = await app.request('/raw', { headers: { Cookie: `${SESSION_COOKIE}=${user.session}` } })
    expect(await response.text()).toBe('ok')
    expect(setCookiesOf(response)).toEqual([])
    expect(response.headers.get('Cache-Control')).toBe('public, max-age=60')
  })
})

describe('createVerifier().verifyRequest()', () => {
  it('should answer a refusal, never throw, for headers no request can carry, and take null options', async () => {
    const verifier = createVerifier({ projectId: edge.projectId, baseUrl: EMULATOR_URL })
    for (const request of [undefined, null, { headers: { 'X-Bad': 'a\nb' } }, { headers: [['no value']] }]) {
      const outcome = await verifier.verifyRequest(request as never)
      expect(outcome, JSON.stringify(request)).toMatchObject({ ok: false, status: 401, code: 'unauthorized', headers: { 'WWW-Authenticate': 'Bearer' } })
    }
    const user = await signedUp()
    expect(await verifier.verifyRequest({ headers: { Cookie: `${SESSION_COOKIE}=${user.session}` }, method: 'GET' }, null as never)).toMatchObject({ ok: true })
  })
})

describe('a 401 without a token', () => {
  it('should carry the RFC 6750 challenge on every refusal, over RPC and in createVerifier() alike', async () => {
    const rpc = new SessionVerifier(createExecutionContext(), { ...env, DESCOPE_PROJECT_ID: edge.projectId } as never)
    const verifier = createVerifier({ projectId: edge.projectId, baseUrl: EMULATOR_URL })
    const outcomes = {
      'RPC verify(undefined)': await rpc.verify(undefined),
      "RPC verify('')": await rpc.verify(''),
      'RPC verifyRequest(bad headers)': await rpc.verifyRequest({ headers: [['no value']] as never }),
      'RPC verifyRequest(no token)': await rpc.verifyRequest({ headers: {} }),
      'createVerifier verifyRequest(bad headers)': await verifier.verifyRequest({ headers: [['no value']] as never }),
      'createVerifier verifyRequest(no token)': await verifier.verifyRequest({ headers: {} }),
    }
    for (const [call, outcome] of Object.entries(outcomes)) {
      expect(outcome, call).toMatchObject({ ok: false, status: 401, code: 'unauthorized', headers: { 'WWW-Authenticate': 'Bearer' } })
    }
  })
})

describe('a refusal after an edge refresh', () => {
  it('should hand back the refreshed cookies with a 403 or a step-up 401, over RPC and in createVerifier(), as descopeSession() sets them', async () => {
    const rpc = new SessionVerifier(createExecutionContext(), { ...env, DESCOPE_PROJECT_ID: edge.projectId } as never)
    const verifier = createVerifier({ projectId: edge.projectId, baseUrl: EMULATOR_URL })
    const checks = {
      SessionVerifier: (headers: Record<string, string>, options: object) => rpc.verifyRequest({ headers, method: 'GET' }, options),
      createVerifier: (headers: Record<string, string>, options: object) => verifier.verifyRequest({ headers, method: 'GET' }, options),
    }
    for (const [caller, check] of Object.entries(checks)) {
      for (const [requirement, status] of [
        [{ roles: ['admin'] }, 403],
        [{ stepup: true }, 401],
      ] as const) {
        const user = await signedUp()
        const expired = await edge.emulator.sign({ ...jwtPayload(user.session), iat: now() - 700, exp: now() - 60 })
        const outcome = await check({ Cookie: `${SESSION_COOKIE}=${expired}; ${REFRESH_COOKIE}=${user.refresh}` }, { refresh: true, ...requirement })
        const label = `${caller} ${JSON.stringify(requirement)}`
        expect(outcome.ok ? 200 : outcome.status, label).toBe(status)
        const cookies = outcome.setCookie.map(parseSetCookie)
        expect(
          cookies.map((cookie) => cookie.name),
          label
        ).toEqual([SESSION_COOKIE, REFRESH_COOKIE])
        // Descope rotated the refresh token: the one handed back is the one it still accepts.
        expect((await edge.emulator.refresh(cookies[1]!.value)).status, label).toBe(200)
      }
    }
  })
})

describe('createVerifier() options', () => {
  it('should refuse one name for the session and the refresh cookie, naming the option', () => {
    const projectId = edgeFor().projectId
    expect(() => createVerifier({ projectId, sessionCookie: 'sid', refreshCookie: 'sid' })).toThrow(/refreshCookie must differ from sessionCookie/)
    expect(() => createVerifier({ projectId, refreshCookie: '__Host-DS' })).toThrow(/refreshCookie/)
    expect(() => createVerifier({ projectId, sessionCookie: 'sid', refreshCookie: 'rid' })).not.toThrow()
  })
})

describe('malformed or misspelt requirements', () => {
  const malformed: Array<[string, unknown]> = [
    ['roles as a string', { roles: 'admin' }],
    ['a misspelt option', { role: ['admin'] }],
    ['a number among the permissions', { permissions: ['read', 1] }],
    ['tenant as an array', { tenant: ['T1'] }],
    ['stepup as a string', { stepup: 'yes' }],
    ['a string for the options', 'admin'],
    ['an array for the options', ['admin']],
  ]

  it('should refuse each by name with invalid_request over RPC and in createVerifier(), for a session that would pass without them', async () => {
    const user = await signedUp()
    const rpc = new SessionVerifier(createExecutionContext(), { ...env, DESCOPE_PROJECT_ID: edge.projectId } as never)
    const verifier = createVerifier({ projectId: edge.projectId, baseUrl: EMULATOR_URL })
    const headers = { Cookie: `${SESSION_COOKIE}=${user.session}` }
    expect(await rpc.verify(user.session, {})).toMatchObject({ ok: true })
    // null is no requirements, as an omitted argument is.
    expect(await rpc.verify(user.session, null as never)).toMatchObject({ ok: true })
    expect(await verifier.verify(user.session, null as never)).toMatchObject({ ok: true })
    for (const [label, requirements] of malformed) {
      const outcomes = {
        'RPC verify': await rpc.verify(user.session, requirements as never),
        'RPC verifyRequest': await rpc.verifyRequest({ headers }, requirements as never),
        'createVerifier verify': await verifier.verify(user.session, requirements as never),
        'createVerifier verifyRequest': await verifier.verifyRequest({ headers }, requirements as never),
      }
      for (const [call, outcome] of Object.entries(outcomes)) {
        expect(outcome, `${call}, ${label}`).toMatchObject({ ok: false, status: 400, code: 'invalid_request' })
        expect(!outcome.ok && outcome.message, `${call}, ${label}`).toMatch(/^Invalid option: (roles|role|permissions|tenant|stepup|options)\.$/)
      }
    }
  })

  it('should refuse them when the route is declared, in requireAccess() of the package', () => {
    for (const [label, requirements] of malformed.slice(0, 5)) {
      expect(() => requireAccess(requirements as never), label).toThrow(/requirements/)
    }
    expect(() => requireAccess({ roles: ['admin'], tenant: () => 'T1', stepup: true })).not.toThrow()
  })

  it('should keep requireSession() of the package as a deprecated alias of requireAccess()', () => {
    expect(requireSession).toBe(requireAccess)
  })
})
