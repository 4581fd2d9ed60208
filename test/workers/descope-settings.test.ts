/**
 * The Worker under every Descope project setting that changes what it receives (docs/descope-settings.md),
 * against the emulator switched to that setting: passkey flows (sign-up, sign-in as typed,
 * add-device, step-up), refresh (shared and rotated), me, logout and the RPC entrypoint's check.
 * One project per setting; its user `Alice@Example.com` (signed up here, then given a project
 * role and a tenant as in the console) and her browser are set up once and shared by the tests of
 * that setting, which run in order. Sign-up-or-in is in test/workers/descope-contract.test.ts.
 * The emulator answers as Descope's SDK fixtures show by default (`""` for a token not in the
 * body, logout a JWT response with empty fields); the older shape (fields left out) is a setting,
 * `jwt_response_fields: 'omitted'`, run here with body mode, cookie mode and rotation.
 */
import { createExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import type { ProjectSettings } from '../../emulator/src/settings'
import { readConfig } from '../../src/config'
import type { Env } from '../../src/env'
import { SessionVerifier } from '../../src/package/entrypoint'
import { SoftwareAuthenticator } from '../support/authenticator'
import { edgeFor, newProjectId } from '../support/edge'
import { Browser, jwtPayload, newLoginId, setCookiesOf } from './passkey-helpers'

const { sessionCookieName, refreshCookieName } = readConfig(env as unknown as Env)
const ALICE = 'Alice@Example.com'

const SETTINGS: Array<[string, (projectId: string) => Partial<ProjectSettings>]> = [
  ['default settings (tokens in the body)', () => ({})],
  ['both tokens as cookies', () => ({ session_token_response_method: 'cookies', refresh_token_response_method: 'cookies' })],
  ['refresh-token rotation', () => ({ refresh_token_rotation: true })],
  ['the older answer shape (token fields left out)', () => ({ jwt_response_fields: 'omitted' })],
  [
    'both tokens as cookies, the older answer shape',
    () => ({ session_token_response_method: 'cookies', refresh_token_response_method: 'cookies', jwt_response_fields: 'omitted' }),
  ],
  ['refresh-token rotation, the older answer shape', () => ({ refresh_token_rotation: true, jwt_response_fields: 'omitted' })],
  [
    'only the refresh token as a cookie, SameSite=Strict on a custom domain',
    () => ({ refresh_token_response_method: 'cookies', refresh_token_cookie_policy: 'strict', refresh_token_cookie_domain: 'auth.example.com' }),
  ],
  ['the conformance issuer', () => ({ conformance_issuer: true })],
  ['a custom domain issuer', (projectId) => ({ issuer: `https://auth.example.com/v1/apps/${projectId}` })],
  ['the user ID in dsub', () => ({ override_subject_claim: true })],
  ['the tenant-only schema (dct)', () => ({ auth_schema: 'tenantOnly' })],
  ['case-sensitive login IDs', () => ({ login_id_case: 'sensitive' })],
]

describe.each(SETTINGS)('a Descope project with %s', (_, settingsFor) => {
  const edge = edgeFor(newProjectId())
  const settings = settingsFor(edge.projectId)
  const rotation = settings.refresh_token_rotation === true
  const tenantOnly = settings.auth_schema === 'tenantOnly'
  const caseSensitive = settings.login_id_case === 'sensitive'
  const alice = new Browser(edge)
  let aliceId = ''

  /** A GET with a browser's cookies; the JSON answer. */
  async function get(browser: Browser, path: string) {
    const response = await edge.fetch(path, { headers: { Cookie: browser.jar.header() } })
    browser.jar.store(response)
    return { status: response.status, body: (await response.json()) as Record<string, any> }
  }

  /** The other Worker's check (docs/session.md), with this project's configuration. */
  const rpc = new SessionVerifier(createExecutionContext(), { ...env, DESCOPE_PROJECT_ID: edge.projectId } as never)

  beforeAll(async () => {
    expect(await edge.emulator.settings(settings)).toMatchObject(settings)
    const signedUp = await alice.signUp(ALICE)
    expect(signedUp.body).toMatchObject({ firstSeen: true, user: { loginIds: [ALICE] } })
    aliceId = signedUp.body.user.userId
    // Roles and a tenant from the console; her next sign-in carries them.
    await edge.emulator.patchUser(aliceId, { roles: ['viewer'], tenants: [{ tenantId: 'T1', roles: ['admin'], permissions: ['reports.read'] }] })
    await alice.signIn(ALICE)
  })

  it('should name the session by the Descope user ID, with her roles and tenant', async () => {
    const session = await get(alice, '/auth/session')
    expect(session.status).toBe(200)
    expect(session.body.userId).toBe(aliceId)
    expect(session.body.roles).toEqual(tenantOnly ? ['admin'] : ['viewer'])
    expect(session.body.tenants).toEqual(tenantOnly ? {} : { T1: { roles: ['admin'], permissions: ['reports.read'] } })
  })

  it('should sign in on another browser with the login ID as typed', async () => {
    const again = await new Browser(edge, alice.authenticator).signIn(ALICE)
    expect(again.body.user).toMatchObject({ userId: aliceId, loginIds: [ALICE] })
  })

  it(`should ${caseSensitive ? 'not ' : ''}find her under another case of her login ID`, async () => {
    const start = await new Browser(edge).call('/auth/passkey/signin/start', { loginId: ALICE.toLowerCase() })
    // Always 200: an unknown login ID gets decoy options (no enumeration).
    expect(start.status).toBe(200)
    const offered = (start.body.options.publicKey.allowCredentials as Array<{ id: string }>).map((credential) => credential.id)
    expect(offered.includes(alice.authenticator.credentials[0]!.id)).toBe(!caseSensitive)
  })

  it('should refresh at the edge, a missing session cookie too', async () => {
    const before = await edge.emulator.count('POST /v1/auth/refresh')
    const oldRefresh = alice.jar.cookies.get(refreshCookieName)!
    const oldSession = alice.jar.cookies.get(sessionCookieName)!
    const refreshed = await alice.post('/auth/refresh')
    expect(refreshed.status).toBe(200)
    const renewed = setCookiesOf(refreshed).map((cookie) => cookie.name)
    expect(renewed).toEqual(rotation ? [sessionCookieName, refreshCookieName] : [sessionCookieName])
    const newRefresh = alice.jar.cookies.get(refreshCookieName)!
    expect(newRefresh !== oldRefresh).toBe(rotation)
    if (rotation) {
      // Descope refuses the replaced token from now on; a straggler of the same browser (its old
      // cookies) at the edge, seconds later, gets the same new tokens (one rotation, shared), not a
      // second rotation. Another holder of the old token gets nothing shared (T59).
      expect((await edge.emulator.refresh(oldRefresh)).status).toBe(401)
      const straggler = new Browser(edge)
      straggler.jar.cookies.set(sessionCookieName, oldSession)
      straggler.jar.cookies.set(refreshCookieName, oldRefresh)
      expect((await straggler.post('/auth/refresh')).status).toBe(200)
      expect(straggler.jar.cookies.get(refreshCookieName)).toBe(newRefresh)
    }
    // No session cookie: a protected route refreshes with the refresh cookie.
    alice.jar.cookies.delete(sessionCookieName)
    expect((await get(alice, '/api/hello')).status).toBe(200)
    expect(alice.jar.cookies.has(sessionCookieName)).toBe(true)
    // The browser without its session cookie is another asker: its own refresh (T59); with rotation,
    // the check of the replaced token at Descope counts too.
    expect(await edge.emulator.count('POST /v1/auth/refresh')).toBe(before + (rotation ? 3 : 2))
  })

  it('should share one refresh among concurrent requests with the same refresh token', async () => {
    const device = new Browser(edge, alice.authenticator)
    await device.signIn(ALICE)
    const before = await edge.emulator.count('POST /v1/auth/refresh')
    const cookie = device.jar.header()
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => edge.fetch('/auth/refresh', { method: 'POST', headers: { Origin: device.origin, Cookie: cookie } }))
    )
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200])
    expect(await edge.emulator.count('POST /v1/auth/refresh')).toBe(before + 1)
    // With rotation every answer carries the one new refresh token.
    const refreshTokens = new Set(
      answers.flatMap((answer) =>
        setCookiesOf(answer)
          .filter((c) => c.name === refreshCookieName)
          .map((c) => c.value)
      )
    )
    expect(refreshTokens.size).toBe(rotation ? 1 : 0)
  })

  it('should answer me with her Descope user', async () => {
    const me = await get(alice, '/auth/me')
    expect(me.status).toBe(200)
    expect(me.body).toMatchObject({ userId: aliceId, loginIds: [ALICE], roleNames: ['viewer'] })
  })

  it('should add a device, then sign in with it', async () => {
    const phone = new SoftwareAuthenticator()
    const start = await alice.call('/auth/passkey/update/start', {})
    expect(start.status, JSON.stringify(start.body)).toBe(200)
    const response = await phone.create(start.body.options, alice.origin)
    const finish = await alice.call('/auth/passkey/update/finish', { transactionId: start.body.transactionId, response })
    expect([finish.status, finish.body]).toEqual([200, { ok: true }])
    expect((await new Browser(edge, phone).signIn(ALICE)).body.user.userId).toBe(aliceId)
  })

  it('should step up, and the stepped-up session opens the sensitive route', async () => {
    expect((await get(alice, '/api/sensitive')).status).toBe(401)
    const start = await alice.call('/auth/passkey/signin/start', { stepup: true })
    expect(start.status, JSON.stringify(start.body)).toBe(200)
    const response = await alice.authenticator.get(start.body.options, alice.origin)
    const finish = await alice.call('/auth/passkey/signin/finish', { transactionId: start.body.transactionId, response })
    expect(finish.status, JSON.stringify(finish.body)).toBe(200)
    expect((await get(alice, '/api/sensitive')).status).toBe(200)
  })

  it('should pass the RPC check with her tenant and roles, and refuse what she lacks', async () => {
    const token = alice.jar.cookies.get(sessionCookieName)!
    expect(jwtPayload(token).iss).toBe(settings.issuer ?? (settings.conformance_issuer ? `http://emulator.localhost/${edge.projectId}` : edge.projectId))
    const checked = await rpc.verifyRequest(
      { headers: [['Cookie', alice.jar.header()]], method: 'GET' },
      { tenant: 'T1', roles: ['admin'], permissions: ['reports.read'] }
    )
    expect(checked).toMatchObject({ ok: true, session: { userId: aliceId, stepUp: true } })
    expect(await rpc.verify(token, { tenant: 'T2' })).toMatchObject({ ok: false, status: 403 })
    // Project-level roles exist only outside the tenant-only schema.
    expect((await rpc.verify(token, { roles: ['viewer'] })).ok).toBe(!tenantOnly)
  })

  it('should keep her session across a signing-key rotation ("Rotate" keeps the previous keys)', async () => {
    const token = alice.jar.cookies.get(sessionCookieName)!
    await edge.emulator.rotateKeys()
    expect((await get(alice, '/api/hello')).status).toBe(200)
    expect((await alice.post('/auth/refresh')).status).toBe(200)
    const renewed = alice.jar.cookies.get(sessionCookieName)!
    expect(JSON.parse(atob(renewed.split('.')[0]!.replace(/-/g, '+').replace(/_/g, '/'))).kid).not.toBe(
      JSON.parse(atob(token.split('.')[0]!.replace(/-/g, '+').replace(/_/g, '/'))).kid
    )
    expect((await rpc.verify(token)).ok).toBe(true)
  })

  it('should log out: 200, cookies cleared, the refresh token revoked at Descope', async () => {
    const refreshJwt = alice.jar.cookies.get(refreshCookieName)!
    const logout = await alice.call('/auth/logout')
    expect([logout.status, logout.body]).toEqual([200, { ok: true }])
    expect(alice.jar.cookies.has(sessionCookieName) || alice.jar.cookies.has(refreshCookieName)).toBe(false)
    const after = new Browser(edge)
    after.jar.cookies.set(refreshCookieName, refreshJwt)
    expect((await after.post('/auth/refresh')).status).toBe(401)
  })

  it('should log out everywhere: every device of hers signed out at Descope', async () => {
    const laptop = new Browser(edge, alice.authenticator)
    const tablet = new Browser(edge, alice.authenticator)
    await laptop.signIn(ALICE)
    await tablet.signIn(ALICE)
    const logoutAll = await laptop.call('/auth/logout-all')
    expect([logoutAll.status, logoutAll.body]).toEqual([200, { ok: true }])
    expect(laptop.jar.cookies.has(refreshCookieName)).toBe(false)
    tablet.jar.cookies.delete(sessionCookieName)
    expect((await tablet.post('/auth/refresh')).status).toBe(401)
  })
})

describe('Descope answers the Worker must take as success', () => {
  const edge = edgeFor(newProjectId())

  it('should finish add-device when update/finish answers an empty body', async () => {
    const owner = new Browser(edge)
    await owner.signUp(newLoginId())
    // The same browser with a second authenticator (the first one's passkey is excluded).
    const browser = new Browser(edge)
    for (const [name, value] of owner.jar.cookies) browser.jar.cookies.set(name, value)
    const prepared = await browser.prepare('update', {})
    await edge.emulator.fault({ route: 'POST /v1/auth/webauthn/update/finish', status: 200, body: '', times: 1 })
    const finish = await browser.call('/auth/passkey/update/finish', prepared)
    expect([finish.status, finish.body]).toEqual([200, { ok: true }])
  })

  it('should log out when Descope clears its cookies and a proxy adds its own', async () => {
    const browser = new Browser(edge)
    await browser.signUp(newLoginId())
    await edge.emulator.fault({ route: 'POST /v1/auth/logout', headers: { 'Set-Cookie': '__cf_bm=abc; Path=/; HttpOnly; Secure; SameSite=None' }, times: 1 })
    await edge.emulator.settings({ session_token_response_method: 'cookies', refresh_token_response_method: 'cookies' })
    const logout = await browser.call('/auth/logout')
    expect([logout.status, logout.body]).toEqual([200, { ok: true }])
    // Upstream cookies are never forwarded.
    expect(
      setCookiesOf(logout.response)
        .map((cookie) => cookie.name)
        .sort()
    ).toEqual([refreshCookieName, sessionCookieName].sort())
  })
})

describe('a Descope project with a step-up timeout (step_up_token_expiration)', () => {
  const edge = edgeFor(newProjectId())

  it('should let a step-up lapse: a session issued after the timeout has no su, and /api/sensitive asks again (RFC 9470)', async () => {
    await edge.emulator.settings({ step_up_token_expiration: 60 })
    const alice = new Browser(edge)
    await alice.signUp(newLoginId())
    const start = await alice.call('/auth/passkey/signin/start', { stepup: true })
    const response = await alice.authenticator.get(start.body.options, alice.origin)
    expect((await alice.call('/auth/passkey/signin/finish', { transactionId: start.body.transactionId, response })).status).toBe(200)
    const sensitive = () => edge.fetch('/api/sensitive', { headers: { Cookie: alice.jar.header() } })
    expect((await sensitive()).status).toBe(200)
    // `su` is never on the refresh JWT (Descope's step-up docs).
    expect(jwtPayload(alice.jar.cookies.get(refreshCookieName)!).su).toBeUndefined()
    expect(jwtPayload(alice.jar.cookies.get(sessionCookieName)!).su).toBe(true)
    // Two minutes later Descope's next session token has no `su`: the edge asks for the passkey again.
    await edge.emulator.setClock(120)
    try {
      expect((await alice.post('/auth/refresh')).status).toBe(200)
    } finally {
      await edge.emulator.setClock(0)
    }
    expect(jwtPayload(alice.jar.cookies.get(sessionCookieName)!).su).toBeUndefined()
    const lapsed = await sensitive()
    expect(lapsed.status).toBe(401)
    expect(lapsed.headers.get('WWW-Authenticate')).toMatch(/error="insufficient_user_authentication"/)
  })
})
