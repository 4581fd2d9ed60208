/**
 * Three things a review asked to check and decide (docs/threat-model.md, T63), each pinned by a
 * test whichever way it was decided:
 * - sign-up refuses browser-chosen `email`/`phone` (unverified contact details on a new user);
 * - step-up has no freshness bound at the edge: `su` lives as long as Descope's "Step Up Token
 *   Timeout" says, and a `stepup` that is not a boolean is refused rather than read as a bound;
 * - this Worker's own `requireSession()` refuses misspelt requirements where the route is
 *   declared, as the package's does.
 */
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../src/config'
import { requireAccess as packageRequireAccess } from '../../src/package/descope-session'
import { requireSession } from '../../src/session/middleware'
import { ORIGIN, SESSION_COOKIE, edgeFor } from '../support/edge'
import { Browser, jwtPayload, newLoginId, post } from './passkey-helpers'

const edge = edgeFor()
const now = () => Math.floor(Date.now() / 1000)

describe('sign-up and unverified contact details (T63)', () => {
  it('should refuse email and phone chosen by the browser (400 naming them), calling Descope for neither', async () => {
    await edge.emulator.resetCalls()
    for (const [field, value] of [
      ['email', 'victim@example.com'],
      ['phone', '+15551234567'],
    ] as const) {
      const response = await post(edge, '/auth/passkey/signup/start', { loginId: newLoginId('contact'), [field]: value })
      expect(response.status, field).toBe(400)
      expect(((await response.json()) as { error: { message: string } }).error.message, field).toContain(field)
    }
    expect((await edge.emulator.calls())['POST /v1/auth/webauthn/signup/start'] ?? 0).toBe(0)
  })

  it('should create the user with the login ID and name only', async () => {
    const browser = new Browser(edge)
    const finish = await browser.signUp(newLoginId('contact'))
    const user = await edge.emulator.user(finish.body.user.userId)
    expect([user.email ?? '', user.phone ?? '']).toEqual(['', ''])
  })
})

describe('step-up freshness (T63)', () => {
  it("should accept su for as long as Descope's token carries it: the bound is Descope's Step Up Token Timeout", async () => {
    const browser = new Browser(edge)
    await browser.signUp(newLoginId('stepup'))
    const session = browser.jar.cookies.get(SESSION_COOKIE)!
    const old = await edge.emulator.sign({ ...jwtPayload(session), su: true, iat: now() - 3600, exp: now() + 600 })
    expect((await edge.fetch('/api/sensitive', { headers: { Cookie: `${SESSION_COOKIE}=${old}` } })).status).toBe(200)
  })

  it('should refuse a stepup that is not a boolean (no maxAgeSeconds is read), in the Worker and the package', () => {
    const stepup = { maxAgeSeconds: 300 } as never
    expect(() => requireSession({ stepup })).toThrow(ConfigError)
    expect(() => packageRequireAccess({ stepup })).toThrow(ConfigError)
  })
})

describe("this Worker's requireSession() (T63)", () => {
  it('should refuse misspelt or malformed requirements where the route is declared, naming them', () => {
    for (const [options, name] of [
      [{ role: ['admin'] }, 'role'],
      [{ roles: 'admin' }, 'roles'],
      [{ permissions: [1] }, 'permissions'],
      [{ stepup: 'yes' }, 'stepup'],
      [{ refresh: 'no' }, 'refresh'],
    ] as const) {
      expect(() => requireSession(options as never), name).toThrow(expect.objectContaining({ name: 'ConfigError', message: expect.stringContaining(name) }))
    }
    // Well-formed ones, a tenant function included, are taken.
    expect(() => requireSession({ roles: ['admin'], tenant: () => 'T1', stepup: true, refresh: false, checkOrigin: true })).not.toThrow()
  })

  it('should still protect its own routes', async () => {
    expect((await edge.fetch('/api/hello', { headers: { Origin: ORIGIN } })).status).toBe(401)
  })
})
