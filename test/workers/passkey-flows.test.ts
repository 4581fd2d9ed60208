import { describe, expect, it } from 'vitest'
import { SoftwareAuthenticator } from '../support/authenticator'
import { edgeFor, newProjectId, ORIGIN, SESSION_COOKIE, REFRESH_COOKIE } from '../support/edge'
import { Browser, jwtPayload, newLoginId, post, setCookiesOf } from './passkey-helpers'

const edge = edgeFor()

describe('sign-up then sign-in', () => {
  it('should create a user, set session cookies and sign the same passkey in again', async () => {
    const browser = new Browser(edge)
    const loginId = newLoginId('alice')
    const signUp = await browser.signUp(loginId, { name: 'Alice' })
    expect(signUp.body).toMatchObject({ firstSeen: true, user: { loginIds: [loginId] } })
    expect(typeof signUp.body.sessionExpiration).toBe('number')
    // Tokens stay in cookies.
    expect(JSON.stringify(signUp.body)).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./)
    expect(browser.jar.cookies.get(SESSION_COOKIE)).toBeTruthy()
    expect(browser.jar.cookies.get(REFRESH_COOKIE)).toBeTruthy()
    expect(browser.jar.bindingCookies()).toEqual([])

    const signIn = await new Browser(edge, browser.authenticator).signIn(loginId)
    expect(signIn.body).toMatchObject({ firstSeen: false, user: { userId: signUp.body.user.userId } })
  })

  it('should send the login ID as typed, only trimmed; a project that matches case-insensitively finds every case', async () => {
    const browser = new Browser(edge)
    const loginId = newLoginId('bob')
    await browser.signUp(`  ${loginId.toUpperCase()} `)
    const signIn = await new Browser(edge, browser.authenticator).signIn(loginId)
    expect(signIn.body.user.loginIds).toEqual([loginId.toUpperCase()])
  })

  it('should answer start with an opaque transaction ID and the parsed options object', async () => {
    const browser = new Browser(edge)
    const start = await browser.call('/auth/passkey/signup/start', { loginId: newLoginId() })
    expect(start.status).toBe(200)
    expect(Object.keys(start.body).sort()).toEqual(['options', 'transactionId'])
    expect(start.body.transactionId).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(typeof start.body.options.publicKey.challenge).toBe('string')
    expect(start.response.headers.get('Cache-Control')).toBe('no-store')
  })
})

describe('cookies (T40)', () => {
  it('should bind start with a __Host- cookie: HttpOnly, Secure, SameSite=Strict, Path=/, no Domain, the transaction lifetime and a minute', async () => {
    const browser = new Browser(edge)
    const start = await browser.call('/auth/passkey/signup/start', { loginId: newLoginId() })
    const [binding, ...others] = setCookiesOf(start.response)
    expect(others).toEqual([])
    expect(binding?.name).toMatch(/^__Host-ptx-[0-9a-f]{16}$/)
    expect(binding?.value).toMatch(/^[A-Za-z0-9_-]{43}$/)
    // A minute past the transaction's 300 s, so a late finish is told it was late (transaction_expired).
    expect(binding?.attributes).toEqual({ 'max-age': '360', path: '/', httponly: true, secure: true, samesite: 'Strict' })
  })

  it('should set the session and refresh cookies with exact attributes and lifetimes from Descope, and clear the binding cookie', async () => {
    const browser = new Browser(edge)
    const { transactionId, response } = await browser.prepare('signup', { loginId: newLoginId() })
    const finish = await browser.post('/auth/passkey/signup/finish', { transactionId, response })
    expect(finish.status).toBe(200)
    const body = (await finish.json()) as { sessionExpiration: number }
    const cookies = Object.fromEntries(setCookiesOf(finish).map((cookie) => [cookie.name, cookie]))
    expect(Object.keys(cookies).sort()).toEqual([SESSION_COOKIE, REFRESH_COOKIE, expect.stringMatching(/^__Host-ptx-/)])
    const binding = Object.values(cookies).find((cookie) => cookie.name.startsWith('__Host-ptx-'))
    expect(binding?.attributes).toEqual({ 'max-age': '0', path: '/', httponly: true, secure: true, samesite: 'Strict' })

    const session = cookies[SESSION_COOKIE]!
    const now = Math.floor(Date.now() / 1000)
    expect(Object.keys(session.attributes).sort()).toEqual(['httponly', 'max-age', 'path', 'samesite', 'secure'])
    expect(session.attributes).toMatchObject({ path: '/', httponly: true, secure: true, samesite: 'Strict' })
    const sessionClaims = jwtPayload(session.value)
    expect(sessionClaims.exp).toBe(body.sessionExpiration)
    expect(Math.abs(Number(session.attributes['max-age']) - (body.sessionExpiration - now))).toBeLessThanOrEqual(2)
    expect(sessionClaims.drn).toBe('DS')

    const refresh = cookies[REFRESH_COOKIE]!
    expect(Object.keys(refresh.attributes).sort()).toEqual(['httponly', 'max-age', 'path', 'samesite', 'secure'])
    expect(refresh.attributes).toMatchObject({ path: '/', httponly: true, secure: true, samesite: 'Strict' })
    const refreshClaims = jwtPayload(refresh.value)
    expect(refreshClaims.drn).toBe('DSR')
    expect(Math.abs(Number(refresh.attributes['max-age']) - (Number(refreshClaims.exp) - now))).toBeLessThanOrEqual(2)
  })

  it('should keep two ceremonies of one browser apart (one binding cookie each)', async () => {
    const browser = new Browser(edge)
    const first = await browser.prepare('signup', { loginId: newLoginId('tab1') })
    const second = await browser.prepare('signup', { loginId: newLoginId('tab2') })
    expect(browser.jar.bindingCookies()).toHaveLength(2)
    expect((await browser.post('/auth/passkey/signup/finish', first)).status).toBe(200)
    expect((await browser.post('/auth/passkey/signup/finish', second)).status).toBe(200)
    expect(browser.jar.bindingCookies()).toEqual([])
  })
})

describe('sign-up-or-in', () => {
  it('should create a new user (create: true) and sign a known user in (create: false)', async () => {
    const browser = new Browser(edge)
    const loginId = newLoginId('carol')
    const created = await browser.prepare('signup-in', { loginId }, 'create')
    expect(created.start.body.create).toBe(true)
    const signUpFinishes = await edge.emulator.count('POST /v1/auth/webauthn/signup/finish')
    const first = await browser.call('/auth/passkey/signup-in/finish', { transactionId: created.transactionId, response: created.response })
    expect(first.status).toBe(200)
    expect(first.body).toMatchObject({ firstSeen: true, user: { loginIds: [loginId] } })
    expect(await edge.emulator.count('POST /v1/auth/webauthn/signup/finish')).toBe(signUpFinishes + 1)

    const again = new Browser(edge, browser.authenticator)
    const known = await again.prepare('signup-in', { loginId }, 'get')
    expect(known.start.body.create).toBe(false)
    const signInFinishes = await edge.emulator.count('POST /v1/auth/webauthn/signin/finish')
    const second = await again.call('/auth/passkey/signup-in/finish', { transactionId: known.transactionId, response: known.response })
    expect(second.status).toBe(200)
    expect(second.body).toMatchObject({ firstSeen: false, user: { userId: first.body.user.userId } })
    expect(await edge.emulator.count('POST /v1/auth/webauthn/signin/finish')).toBe(signInFinishes + 1)
  })
})

describe('add a device', () => {
  it('should add a second passkey to the signed-in user, and each passkey should sign in', async () => {
    const laptop = new Browser(edge)
    const loginId = newLoginId('dave')
    const signUp = await laptop.signUp(loginId)

    const phone = new SoftwareAuthenticator({ alg: 'RS256', attestation: 'packed' })
    const start = await laptop.call('/auth/passkey/update/start', {})
    expect(start.status, JSON.stringify(start.body)).toBe(200)
    const response = await phone.create(start.body.options, ORIGIN)
    const finish = await laptop.call('/auth/passkey/update/finish', { transactionId: start.body.transactionId, response })
    expect(finish.status, JSON.stringify(finish.body)).toBe(200)
    expect(finish.body).toEqual({ ok: true })

    const withLaptop = await new Browser(edge, laptop.authenticator).signIn(loginId)
    const withPhone = await new Browser(edge, phone).signIn(loginId)
    expect(withLaptop.body.user.userId).toBe(signUp.body.user.userId)
    expect(withPhone.body.user.userId).toBe(signUp.body.user.userId)
  })
})

describe('step-up and MFA', () => {
  it('should sign the session user in again with stepup and give a session with su: true', async () => {
    const browser = new Browser(edge)
    const loginId = newLoginId('erin')
    const signUp = await browser.signUp(loginId)
    expect(jwtPayload(browser.jar.cookies.get(SESSION_COOKIE)!).su).toBeFalsy()

    const start = await browser.call('/auth/passkey/signin/start', { stepup: true })
    expect(start.status, JSON.stringify(start.body)).toBe(200)
    const response = await browser.authenticator.get(start.body.options, ORIGIN)
    const finish = await browser.call('/auth/passkey/signin/finish', { transactionId: start.body.transactionId, response })
    expect(finish.status, JSON.stringify(finish.body)).toBe(200)
    expect(finish.body.user.userId).toBe(signUp.body.user.userId)
    const claims = jwtPayload(browser.jar.cookies.get(SESSION_COOKIE)!)
    expect(claims.su).toBe(true)
    expect(claims.sub).toBe(signUp.body.user.userId)
  })

  it('should run MFA for the session user', async () => {
    const browser = new Browser(edge)
    const signUp = await browser.signUp(newLoginId('frank'))
    const start = await browser.call('/auth/passkey/signin/start', { mfa: true })
    expect(start.status, JSON.stringify(start.body)).toBe(200)
    const response = await browser.authenticator.get(start.body.options, ORIGIN)
    const finish = await browser.call('/auth/passkey/signin/finish', { transactionId: start.body.transactionId, response })
    expect(finish.status, JSON.stringify(finish.body)).toBe(200)
    expect(jwtPayload(browser.jar.cookies.get(SESSION_COOKIE)!).sub).toBe(signUp.body.user.userId)
  })

  it('should refuse step-up without a session (401) and never call Descope', async () => {
    const browser = new Browser(edge)
    const before = await edge.emulator.count('POST /v1/auth/webauthn/signin/start')
    const start = await browser.call('/auth/passkey/signin/start', { stepup: true })
    expect(start.status).toBe(401)
    expect(start.body.error.code).toBe('unauthorized')
    expect(await edge.emulator.count('POST /v1/auth/webauthn/signin/start')).toBe(before)
  })

  it('should refuse a login ID next to stepup (the session decides who signs in)', async () => {
    const browser = new Browser(edge)
    const start = await browser.call('/auth/passkey/signin/start', { stepup: true, loginId: 'victim@example.com' })
    expect(start.status).toBe(400)
    expect(start.body.error).toMatchObject({ code: 'invalid_request', message: expect.stringContaining('loginId') })
  })
})

describe('sign-in without a login ID (discoverable passkey)', () => {
  it('should offer no allowCredentials and sign in whoever owns the chosen passkey', async () => {
    const gina = new Browser(edge)
    const hugo = new Browser(edge)
    const ginaUp = await gina.signUp(newLoginId('gina'))
    const hugoUp = await hugo.signUp(newLoginId('hugo'))

    // Another browser of Gina's with her (synced) passkey: nothing typed.
    const elsewhere = new Browser(edge, gina.authenticator)
    const start = await elsewhere.call('/auth/passkey/signin/start', {})
    expect(start.status, JSON.stringify(start.body)).toBe(200)
    expect(start.body.options.publicKey.rpId).toBe(new URL(ORIGIN).hostname)
    expect(start.body.options.publicKey).not.toHaveProperty('allowCredentials')
    expect(elsewhere.jar.bindingCookies()).toHaveLength(1)
    const response = await elsewhere.authenticator.get(start.body.options, ORIGIN)
    const finish = await elsewhere.call('/auth/passkey/signin/finish', { transactionId: start.body.transactionId, response })
    expect(finish.status, JSON.stringify(finish.body)).toBe(200)
    expect(finish.body).toMatchObject({ firstSeen: false, user: { userId: ginaUp.body.user.userId } })
    expect(jwtPayload(elsewhere.jar.cookies.get(SESSION_COOKIE)!).sub).toBe(ginaUp.body.user.userId)

    const hugoIn = await new Browser(edge, hugo.authenticator).signInWithoutLoginId()
    expect(hugoIn.body.user.userId).toBe(hugoUp.body.user.userId)
    // `stepup: false` without a login ID is the same sign-in.
    expect((await new Browser(edge).call('/auth/passkey/signin/start', { stepup: false })).status).toBe(200)
  })

  it('should refuse a passkey Descope does not know (401, no cookies) and an empty login ID (400)', async () => {
    // A passkey whose sign-up never finished: the authenticator has it, Descope does not.
    const stranger = new Browser(edge)
    const signUpStart = await stranger.call('/auth/passkey/signup/start', { loginId: newLoginId('ivy') })
    await stranger.authenticator.create(signUpStart.body.options, ORIGIN)
    const attempt = await stranger.prepare('signin', {})
    const finish = await stranger.call('/auth/passkey/signin/finish', attempt)
    expect(finish.status).toBe(401)
    expect(finish.body).toEqual({ error: { code: 'authentication_failed', message: 'The passkey could not be verified.', requestId: expect.any(String) } })
    expect(stranger.jar.cookies.has(SESSION_COOKIE)).toBe(false)

    const empty = await stranger.call('/auth/passkey/signin/start', { loginId: '' })
    expect(empty.status).toBe(400)
    expect(empty.body.error.code).toBe('invalid_login_id')
  })
})

describe('sign out everywhere', () => {
  it('should revoke every session of the user, clear this browser’s cookies and leave other users alone', async () => {
    const laptop = new Browser(edge)
    await laptop.signUp(newLoginId('jo'))
    const phone = new Browser(edge, laptop.authenticator)
    await phone.signInWithoutLoginId()
    const other = new Browser(edge)
    await other.signUp(newLoginId('kim'))

    // Cookie-authenticated: an unlisted or missing Origin revokes nothing.
    const before = await edge.emulator.count('POST /v1/auth/logoutall')
    expect((await laptop.post('/auth/logout-all', {}, { origin: 'https://evil.example.com' })).status).toBe(403)
    expect((await laptop.post('/auth/logout-all', {}, { origin: null })).status).toBe(403)
    expect(await edge.emulator.count('POST /v1/auth/logoutall')).toBe(before)

    const everywhere = await laptop.call('/auth/logout-all')
    expect(everywhere.status).toBe(200)
    expect(everywhere.body).toEqual({ ok: true })
    expect(everywhere.response.headers.get('Cache-Control')).toBe('no-store')
    const cleared = setCookiesOf(everywhere.response).filter((cookie) => cookie.attributes['max-age'] === '0')
    expect(cleared.map((cookie) => cookie.name).sort()).toEqual([SESSION_COOKIE, REFRESH_COOKIE])
    expect(await edge.emulator.count('POST /v1/auth/logoutall')).toBe(before + 1)

    // The phone's refresh token was revoked too; the other user's was not.
    const refused = await phone.call('/auth/refresh')
    expect(refused.status).toBe(401)
    expect(refused.body.error.code).toBe('unauthorized')
    expect((await other.post('/auth/refresh')).status).toBe(200)
  })

  it('should answer 401 when nothing could be revoked: no refresh cookie, or one already revoked', async () => {
    const browser = new Browser(edge)
    await browser.signUp(newLoginId('lee'))
    const stale = browser.jar.clone()
    expect((await browser.post('/auth/logout')).status).toBe(200)

    const none = await browser.call('/auth/logout-all')
    expect(none.status).toBe(401)
    expect(none.body.error.code).toBe('unauthorized')
    expect(none.response.headers.get('WWW-Authenticate')).toBe('Bearer')

    const revoked = await post(edge, '/auth/logout-all', {}, { jar: stale })
    expect(revoked.status).toBe(401)
    expect(revoked.headers.get('WWW-Authenticate')).toBe('Bearer error="invalid_token"')
    expect(stale.cookies.has(REFRESH_COOKIE)).toBe(false)
  })

  it('should clear the cookies and answer 502 when Descope cannot revoke', async () => {
    const own = edgeFor(newProjectId())
    const browser = new Browser(own)
    await browser.signUp(newLoginId('max'))
    await own.emulator.fault({ route: 'POST /v1/auth/logoutall', status: 503, times: 2 })
    const failed = await browser.call('/auth/logout-all')
    expect(failed.status).toBe(502)
    expect(failed.body.error.code).toBe('upstream_error')
    expect(browser.jar.cookies.has(SESSION_COOKIE)).toBe(false)
    expect(browser.jar.cookies.has(REFRESH_COOKIE)).toBe(false)
  })
})
