/**
 * The CSRF rule of cookie sessions (docs/threat-model.md, T57): `SameSite=Strict` does not stop a
 * sibling subdomain (same site), whose `fetch(url, { method: 'POST', credentials: 'include',
 * mode: 'no-cors' })` carries `__Host-DS`. So every session check — this Worker's
 * `requireSession()`, the package's `descopeSession()` and `createVerifier()`, the RPC
 * `verifyRequest` — refuses a request the cookies authenticate whose method is unsafe unless its
 * `Origin` is its own or an allowed one, or `Sec-Fetch-Site` is `same-origin`. A Bearer request is
 * never refused for its origin; `checkOrigin: false` opts out.
 */
import { createExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { Hono } from 'hono'
import { beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../src/app'
import type { Env } from '../../src/env'
import { descopeSession, requireAccess as packageRequireAccess } from '../../src/package/descope-session'
import { SessionVerifier } from '../../src/package/entrypoint'
import { requireSession } from '../../src/session/middleware'
import { createVerifier } from '../../src/package/standalone'
import { EMULATOR_URL, ORIGIN, REFRESH_COOKIE, SESSION_COOKIE, edgeFor } from '../support/edge'
import { Browser, jwtPayload, newLoginId } from './passkey-helpers'

const edge = edgeFor()
const now = () => Math.floor(Date.now() / 1000)
/** Where the protected app runs in these tests, and a sibling subdomain of it. */
const OWN = 'https://shop.example.com'
const SIBLING = 'https://evil.example.com'
const user = { session: '', refresh: '', expired: '' }

beforeAll(async () => {
  const browser = new Browser(edge)
  await browser.signUp(newLoginId('csrf'))
  user.session = browser.jar.cookies.get(SESSION_COOKIE)!
  user.refresh = browser.jar.cookies.get(REFRESH_COOKIE)!
  user.expired = await edge.emulator.sign({ ...jwtPayload(user.session), iat: now() - 700, exp: now() - 60 })
})

interface Call {
  method: string
  headers: Record<string, string>
  checkOrigin?: boolean
}

/** One check per surface: the status it ends with for a request to `${OWN}/transfer`. */
function surfaces(): Array<[string, (call: Call) => Promise<number>]> {
  const bindings = { ...env, DESCOPE_PROJECT_ID: edge.projectId } as Env
  // The Worker's own middleware on the Worker's app (its configuration and error mapping).
  const worker = createApp()
  worker.on(['GET', 'POST', 'DELETE'], '/transfer', requireSession(), (c) => c.json({ ok: true }))
  worker.on(['GET', 'POST', 'DELETE'], '/open', requireSession({ checkOrigin: false }), (c) => c.json({ ok: true }))
  const options = { projectId: edge.projectId, baseUrl: EMULATOR_URL, allowedOrigins: [ORIGIN] }
  const strict = new Hono().on(['GET', 'POST', 'DELETE'], '/transfer', descopeSession(options), packageRequireAccess({ stepup: false }), (c) =>
    c.json({ ok: true })
  )
  const open = new Hono().on(['GET', 'POST', 'DELETE'], '/transfer', descopeSession({ ...options, checkOrigin: false }), (c) => c.json({ ok: true }))
  const verifier = createVerifier(options)
  const rpc = new SessionVerifier(createExecutionContext(), bindings as never)
  const request = ({ method, headers }: Call) => ({ method, url: `${OWN}/transfer`, headers })
  return [
    ['requireSession', async (call) => (await worker.request(`${OWN}/${call.checkOrigin === false ? 'open' : 'transfer'}`, request(call), bindings)).status],
    ['descopeSession', async (call) => (await (call.checkOrigin === false ? open : strict).request(`${OWN}/transfer`, request(call))).status],
    ['createVerifier', async (call) => outcomeStatus(await verifier.verifyRequest(request(call), { refresh: true, checkOrigin: call.checkOrigin }))],
    ['SessionVerifier', async (call) => outcomeStatus(await rpc.verifyRequest(request(call), { refresh: true, checkOrigin: call.checkOrigin }))],
  ]
}

const outcomeStatus = (outcome: { ok: boolean; status?: number }) => (outcome.ok ? 200 : outcome.status!)

describe('cookie-authenticated requests with unsafe methods (T57)', () => {
  const cookie = () => `${SESSION_COOKIE}=${user.session}`

  it('should refuse a sibling subdomain, another site, a null origin and no origin at all (403), on every surface', async () => {
    for (const [surface, check] of surfaces()) {
      for (const method of ['POST', 'DELETE']) {
        for (const origin of [SIBLING, 'https://attacker.test', 'null', undefined, `${OWN}, ${SIBLING}`]) {
          const headers: Record<string, string> = { Cookie: cookie(), ...(origin === undefined ? {} : { Origin: origin }) }
          expect(await check({ method, headers }), `${surface} ${method} ${origin}`).toBe(403)
        }
        // Sec-Fetch-Site says same-site for a sibling: not enough.
        expect(await check({ method, headers: { Cookie: cookie(), Origin: SIBLING, 'Sec-Fetch-Site': 'same-site' } }), surface).toBe(403)
      }
    }
  })

  it('should let the own origin, an allowed origin and Sec-Fetch-Site: same-origin through', async () => {
    for (const [surface, check] of surfaces()) {
      for (const headers of [{ Origin: OWN }, { Origin: ORIGIN }, { 'Sec-Fetch-Site': 'same-origin' }] as Array<Record<string, string>>) {
        expect(await check({ method: 'POST', headers: { Cookie: cookie(), ...headers } }), `${surface} ${JSON.stringify(headers)}`).toBe(200)
      }
    }
  })

  it('should never refuse a Bearer request or a safe method for its origin', async () => {
    for (const [surface, check] of surfaces()) {
      expect(await check({ method: 'POST', headers: { Authorization: `Bearer ${user.session}`, Origin: SIBLING } }), surface).toBe(200)
      expect(await check({ method: 'GET', headers: { Cookie: cookie(), Origin: SIBLING, 'Sec-Fetch-Site': 'same-site' } }), surface).toBe(200)
    }
  })

  it('should refuse before a refresh: an expired session and the refresh cookie from a sibling cost no call to Descope', async () => {
    await edge.emulator.resetCalls()
    for (const [surface, check] of surfaces()) {
      const headers = { Cookie: `${SESSION_COOKIE}=${user.expired}; ${REFRESH_COOKIE}=${user.refresh}`, Origin: SIBLING }
      expect(await check({ method: 'POST', headers }), surface).toBe(403)
    }
    expect((await edge.emulator.calls())['POST /v1/auth/refresh'] ?? 0).toBe(0)
  })

  it('should let everything through with checkOrigin: false (the opt-out)', async () => {
    for (const [surface, check] of surfaces()) {
      expect(await check({ method: 'POST', headers: { Cookie: cookie(), Origin: SIBLING }, checkOrigin: false }), surface).toBe(200)
    }
  })

  it('should take a request whose method is not given over RPC or to createVerifier() as an unsafe one', async () => {
    const rpc = new SessionVerifier(createExecutionContext(), { ...env, DESCOPE_PROJECT_ID: edge.projectId } as never)
    const verifier = createVerifier({ projectId: edge.projectId, baseUrl: EMULATOR_URL })
    const headers = { Cookie: cookie(), Origin: SIBLING }
    expect(await rpc.verifyRequest({ headers })).toMatchObject({ ok: false, status: 403, code: 'origin_not_allowed' })
    expect(await rpc.verifyRequest({ headers, method: 42 } as never)).toMatchObject({ ok: false, status: 403 })
    expect(await verifier.verifyRequest({ headers })).toMatchObject({ ok: false, status: 403, code: 'origin_not_allowed' })
    expect(await rpc.verifyRequest({ headers, method: 'GET' })).toMatchObject({ ok: true })
  })

  it('should refuse a malformed checkOrigin or allowedOrigins by name', async () => {
    const rpc = new SessionVerifier(createExecutionContext(), { ...env, DESCOPE_PROJECT_ID: edge.projectId } as never)
    expect(await rpc.verifyRequest({ headers: {} }, { checkOrigin: 'no' } as never)).toMatchObject({ status: 400, message: 'Invalid option: checkOrigin.' })
    expect(() => createVerifier({ projectId: edge.projectId, allowedOrigins: ['https://*.example.com'] })).toThrow(/allowedOrigins/)
  })
})
