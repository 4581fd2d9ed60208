/**
 * Project settings and users made outside passkey flows, as the emulator models them
 * (emulator/README.md, "Project settings"): the control API, then what each setting changes
 * on the wire — issuer, `dsub`, tenants and `dct`, permissions, login-ID case, tokens as
 * cookies (also at logout) — checked on raw HTTP answers, as a non-JS SDK would see them.
 */
import { describe, expect, inject, it } from 'vitest'
import { SoftwareAuthenticator, fromBase64url } from '../support/authenticator'
import { newProjectId } from '../support/emulator-control.mjs'

const ORIGIN = 'https://app.example.com'
const emulatorUrl = inject('emulatorUrl')

const claimsOf = (jwt: string): Record<string, any> => JSON.parse(new TextDecoder().decode(fromBase64url(jwt.split('.')[1] ?? '')))
let counter = 0
const newLoginId = () => `s${++counter}-${Date.now().toString(36)}@example.com`

/** One project over raw HTTP: Descope calls, the control API, and a passkey sign-up-or-in. */
function project(projectId = newProjectId()) {
  async function call(method: string, path: string, body?: unknown, token?: string) {
    const response = await fetch(`${emulatorUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${projectId}${token ? `:${token}` : ''}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await response.text()
    return { status: response.status, cookies: response.headers.getSetCookie(), json: (text ? JSON.parse(text) : undefined) as Record<string, any> }
  }
  const control = (method: string, path: string, body?: unknown) => call(method, `/emulator/${projectId}${path}`, body)
  /** Sign-up-or-in with a new passkey (create) or the known one (get): the finish answer. */
  async function passkey(loginId: string, device: SoftwareAuthenticator, loginOptions?: Record<string, unknown>) {
    const start = await call('POST', '/v1/auth/webauthn/signup-in/start', { loginId, origin: ORIGIN, loginOptions })
    expect(start.status).toBe(200)
    const options = JSON.parse(start.json.options)
    const response = start.json.create ? await device.create(options, ORIGIN) : await device.get(options, ORIGIN)
    const finish = await call('POST', `/v1/auth/webauthn/${start.json.create ? 'signup' : 'signin'}/finish`, {
      transactionId: start.json.transactionId,
      response: JSON.stringify(response),
    })
    expect(finish.status).toBe(200)
    return finish
  }
  return { projectId, call, control, passkey }
}

describe('emulator settings: the control API', () => {
  it('should answer Descope-named defaults, merge a PUT and answer all settings, and refuse unknown names and values', async () => {
    const { control } = project()
    const defaults = await control('GET', '/settings')
    expect(defaults.json).toEqual({
      refresh_token_response_method: 'response_body',
      session_token_response_method: 'response_body',
      refresh_token_cookie_policy: 'none',
      refresh_token_cookie_domain: '',
      session_token_cookie_policy: 'none',
      session_token_cookie_domain: '',
      refresh_token_rotation: false,
      conformance_issuer: false,
      issuer: '',
      override_subject_claim: false,
      auth_schema: 'default',
      auto_tenant_claim: false,
      step_up_token_expiration: 0,
      transaction_seconds: 300,
      jwt_response_fields: 'empty',
      exclude_permission_claim: false,
      login_id_case: 'insensitive',
      passkeyless_signup_in: 'attach',
      magiclink_expiration: 600,
    })
    const merged = await control('PUT', '/settings', { refresh_token_rotation: true })
    expect(merged.json).toEqual({ ...defaults.json, refresh_token_rotation: true })
    expect((await control('PUT', '/settings', { auth_schema: 'tenantOnly' })).json).toMatchObject({ refresh_token_rotation: true, auth_schema: 'tenantOnly' })
    for (const bad of [
      { refresh_token_rotation: 'yes' },
      { session_token_response_method: 'header' },
      { nope: true },
      [],
      { magiclink_expiration: -1 },
      { magiclink_expiration: 1.5 },
      { transaction_seconds: -1 },
      { step_up_token_expiration: 1.5 },
      { jwt_response_fields: 'null' },
    ]) {
      const refused = await control('PUT', '/settings', bad)
      expect(refused.status).toBe(400)
      expect(refused.json.errorCode).toBe('E011001')
    }
    expect((await control('GET', '/settings')).json).toMatchObject({ refresh_token_rotation: true, auth_schema: 'tenantOnly' })
  })

  it('should create a user without a passkey, and patch its roles', async () => {
    const { control, call } = project()
    const loginId = newLoginId()
    const created = await control('POST', '/users', {
      loginId,
      name: 'Made in the console',
      roles: ['viewer'],
      tenants: [{ tenantId: 'T1', roles: ['admin'] }],
    })
    expect(created.json).toEqual({ userId: expect.stringMatching(/^U[A-Za-z0-9]{27}$/) })
    const { userId } = created.json
    expect((await control('POST', '/users', { loginId })).json.errorCode).toBe('E062107')
    expect((await control('POST', '/users', { loginId: newLoginId(), roles: 'admin' })).status).toBe(400)
    const patched = await control('PATCH', `/users/${userId}`, { roles: ['editor'], permissions: ['read'] })
    expect(patched.json).toMatchObject({ userId, loginIds: [loginId], roleNames: ['editor'], permissions: ['read'], webauthn: false })
    expect(patched.json.userTenants).toEqual([{ tenantId: 'T1', tenantName: 'T1', roleNames: ['admin'], permissions: [] }])
    expect((await control('PATCH', '/users/Unobody', { roles: [] })).status).toBe(404)
    // Without a passkey the user cannot sign in; sign-up of the same login ID is refused.
    const signIn = await call('POST', '/v1/auth/webauthn/signin/start', { loginId, origin: ORIGIN })
    expect(signIn.status).toBe(400)
    expect((await call('POST', '/v1/auth/webauthn/signup/start', { loginId, origin: ORIGIN })).json.errorCode).toBe('E062107')
  })
})

describe('emulator settings: sign-up-or-in of a user without a passkey', () => {
  /** A user made in the console, then a stranger's sign-up-or-in of her login ID up to finish. */
  async function strangerSignsUpOrIn(reading: string) {
    const { control, call } = project()
    await control('PUT', '/settings', { passkeyless_signup_in: reading })
    const loginId = newLoginId()
    const { json: created } = await control('POST', '/users', { loginId })
    const start = await call('POST', '/v1/auth/webauthn/signup-in/start', { loginId, origin: ORIGIN })
    if (start.status !== 200) return { start, finish: undefined, user: (await control('GET', `/users/${created.userId}`)).json, userId: created.userId }
    expect(start.json.create).toBe(true)
    const response = await new SoftwareAuthenticator().create(JSON.parse(start.json.options), ORIGIN)
    const finish = await call('POST', '/v1/auth/webauthn/signup/finish', { transactionId: start.json.transactionId, response: JSON.stringify(response) })
    return { start, finish, user: (await control('GET', `/users/${created.userId}`)).json, userId: created.userId }
  }

  it('should attach the passkey to her account with attach (the hostile reading, the default)', async () => {
    const { finish, user, userId } = await strangerSignsUpOrIn('attach')
    expect(finish?.status).toBe(200)
    expect(finish?.json.user).toMatchObject({ userId, webauthn: true })
    expect(user.webauthn).toBe(true)
  })

  it('should remove every passkey of a user through the control API: sign-in start then refuses it', async () => {
    const { control, call, passkey } = project()
    const loginId = newLoginId()
    const { userId } = (await passkey(loginId, new SoftwareAuthenticator())).json.user
    expect((await call('POST', '/v1/auth/webauthn/signin/start', { loginId, origin: ORIGIN })).status).toBe(200)
    expect((await control('DELETE', `/users/${userId}/passkeys`)).json).toMatchObject({ userId, webauthn: false })
    expect((await call('POST', '/v1/auth/webauthn/signin/start', { loginId, origin: ORIGIN })).status).toBe(400)
    expect((await control('DELETE', '/users/Unobody/passkeys')).status).toBe(404)
  })

  it('should answer create for a new user with new_user, whose sign-up finish refuses her login ID', async () => {
    const { finish, user } = await strangerSignsUpOrIn('new_user')
    expect(finish?.status).toBe(400)
    expect(finish?.json.errorCode).toBe('E062107')
    expect(user.webauthn).toBe(false)
  })

  it('should refuse the start with refuse', async () => {
    const { start, user } = await strangerSignsUpOrIn('refuse')
    expect(start.status).toBe(400)
    expect(start.json.errorCode).toBe('E011003')
    expect(user.webauthn).toBe(false)
  })
})

describe('emulator settings: what the tokens carry', () => {
  it('should put roles, permissions and tenants in the tokens as the default schema does, dct with auto_tenant_claim', async () => {
    const { control, passkey } = project()
    const loginId = newLoginId()
    const { json: created } = await control('POST', '/users', {
      loginId,
      roles: ['viewer'],
      permissions: ['read'],
      tenants: [
        { tenantId: 'T1', roles: ['admin'], permissions: ['write'] },
        { tenantId: 'T2', roles: ['member'] },
      ],
    })
    const device = new SoftwareAuthenticator()
    // A user without a passkey signs up-or-in with create: true, and keeps its user ID.
    const first = await passkey(loginId, device)
    expect(first.json).toMatchObject({ firstSeen: false, user: { userId: created.userId, webauthn: true } })
    expect(claimsOf(first.json.sessionJwt)).toMatchObject({
      sub: created.userId,
      roles: ['viewer'],
      permissions: ['read'],
      tenants: { T1: { roles: ['admin'], permissions: ['write'] }, T2: { roles: ['member'], permissions: [] } },
    })
    expect(claimsOf(first.json.sessionJwt).dct).toBeUndefined()

    await control('PUT', '/settings', { auto_tenant_claim: true, exclude_permission_claim: true })
    // `auto_tenant_claim` names the tenant only for a user in exactly one (Terraform's project docs).
    const second = claimsOf((await passkey(loginId, device, { tenantId: 'T2' })).json.sessionJwt)
    expect(second).toMatchObject({ roles: ['viewer'], tenants: { T1: { roles: ['admin'] }, T2: { roles: ['member'] } } })
    expect(second.dct).toBeUndefined()
    expect(JSON.stringify(second)).not.toMatch(/permissions/)
    await control('PATCH', `/users/${created.userId}`, { tenants: [{ tenantId: 'T2', roles: ['member'] }] })
    expect(claimsOf((await passkey(loginId, device)).json.sessionJwt)).toMatchObject({ dct: 'T2', tenants: { T2: { roles: ['member'] } } })
  })

  it('should put the current tenant’s grants at the top level with tenantOnly, named by dct, without tenants', async () => {
    const { control, passkey, call } = project()
    const loginId = newLoginId()
    const { json: created } = await control('POST', '/users', {
      loginId,
      roles: ['viewer'],
      tenants: [{ tenantId: 'T1', roles: ['admin'], permissions: ['write'] }],
    })
    await control('PUT', '/settings', { auth_schema: 'tenantOnly' })
    const signedIn = await passkey(loginId, new SoftwareAuthenticator())
    const claims = claimsOf(signedIn.json.sessionJwt)
    expect(claims).toMatchObject({ sub: created.userId, dct: 'T1', roles: ['admin'], permissions: ['write'] })
    expect(claims.tenants).toBeUndefined()
    // A role patched in later shows up at the next refresh.
    await control('PATCH', `/users/${created.userId}`, { tenants: [{ tenantId: 'T1', roles: ['owner'] }] })
    const refreshed = await call('POST', '/v1/auth/refresh', {}, signedIn.json.refreshJwt)
    expect(claimsOf(refreshed.json.sessionJwt)).toMatchObject({ dct: 'T1', roles: ['owner'], permissions: [] })
  })

  it('should issue tokens with the conformance issuer, then a custom one, and accept them back', async () => {
    const { projectId, control, passkey, call } = project()
    await control('PUT', '/settings', { conformance_issuer: true })
    const loginId = newLoginId()
    const device = new SoftwareAuthenticator()
    const first = await passkey(loginId, device)
    expect(claimsOf(first.json.sessionJwt).iss).toBe(`${emulatorUrl}/${projectId}`)
    expect(claimsOf(first.json.refreshJwt).iss).toBe(`${emulatorUrl}/${projectId}`)
    const custom = `https://auth.example.com/v1/apps/${projectId}`
    await control('PUT', '/settings', { issuer: custom })
    const second = await passkey(loginId, device)
    expect(claimsOf(second.json.sessionJwt).iss).toBe(custom)
    expect((await call('POST', '/v1/auth/refresh', {}, second.json.refreshJwt)).status).toBe(200)
    expect((await call('POST', '/v1/auth/refresh', {}, first.json.refreshJwt)).status).toBe(200)
  })

  it('should move the user ID to dsub with override_subject_claim, in both tokens', async () => {
    const { control, passkey, call } = project()
    await control('PUT', '/settings', { override_subject_claim: true })
    const loginId = newLoginId()
    const signedUp = await passkey(loginId, new SoftwareAuthenticator())
    const userId = signedUp.json.user.userId
    expect(claimsOf(signedUp.json.sessionJwt)).toMatchObject({ sub: loginId, dsub: userId })
    expect(claimsOf(signedUp.json.refreshJwt)).toMatchObject({ sub: loginId, dsub: userId })
    expect((await call('GET', '/v1/auth/me', undefined, signedUp.json.refreshJwt)).json.userId).toBe(userId)
  })

  it('should match login IDs as typed with login_id_case sensitive', async () => {
    const { control, call, passkey } = project()
    await control('PUT', '/settings', { login_id_case: 'sensitive' })
    const device = new SoftwareAuthenticator()
    const alice = await passkey('Alice@Example.com', device)
    expect(alice.json.user.loginIds).toEqual(['Alice@Example.com'])
    const lower = await call('POST', '/v1/auth/webauthn/signin/start', { loginId: 'alice@example.com', origin: ORIGIN })
    expect(lower.json.errorCode).toBe('E062108')
    expect((await call('POST', '/v1/auth/webauthn/signin/start', { loginId: 'Alice@Example.com', origin: ORIGIN })).status).toBe(200)
    // Back to the default: the same lookup finds her.
    await control('PUT', '/settings', { login_id_case: 'insensitive' })
    expect((await call('POST', '/v1/auth/webauthn/signin/start', { loginId: 'alice@example.com', origin: ORIGIN })).status).toBe(200)
  })
})

describe('emulator settings: tokens as cookies', () => {
  it('should send DS and DSR as Set-Cookie with empty body fields, each with its own policy and domain, and clear them at logout', async () => {
    const { control, passkey, call } = project()
    await control('PUT', '/settings', {
      session_token_response_method: 'cookies',
      refresh_token_response_method: 'cookies',
      refresh_token_cookie_domain: 'example.com',
      refresh_token_cookie_policy: 'lax',
      session_token_cookie_domain: 'app.example.com',
    })
    const signedUp = await passkey(newLoginId(), new SoftwareAuthenticator())
    // descope-dotnet PR #171: cookie-mode answers come "with empty body fields".
    expect(signedUp.json).toMatchObject({ sessionJwt: '', refreshJwt: '', cookieDomain: 'example.com', cookiePath: '/', firstSeen: true })
    expect(signedUp.cookies).toEqual([
      // The session cookie keeps Descope's default policy, None (Terraform project settings).
      expect.stringMatching(
        /^DS=ey[\w.-]+; Path=\/; Domain=app\.example\.com; Max-Age=600; Expires=\w{3}, \d\d \w{3} \d{4} [\d:]{8} GMT; HttpOnly; Secure; SameSite=None$/
      ),
      expect.stringMatching(/^DSR=ey[\w.-]+; Path=\/; Domain=example\.com; Max-Age=2419200; Expires=[^;]+; HttpOnly; Secure; SameSite=Lax$/),
    ])
    const refreshJwt = /^DSR=([^;]+)/.exec(signedUp.cookies[1] ?? '')?.[1]
    // Without rotation a refresh sends a new DS only.
    const refreshed = await call('POST', '/v1/auth/refresh', {}, refreshJwt)
    expect(refreshed.cookies).toEqual([expect.stringMatching(/^DS=ey/)])
    expect(refreshed.json).toMatchObject({ sessionJwt: '', refreshJwt: '' })
    // Logout: a JWT response with "all user tokens and fields empty" (Descope's OpenAPI).
    const logout = await call('POST', '/v1/auth/logout', {}, refreshJwt)
    expect(logout.json).toMatchObject({ sessionJwt: '', refreshJwt: '', cookieMaxAge: 0, sessionExpiration: 0 })
    expect(Object.values(logout.json).filter((value) => value !== '' && value !== 0 && value !== false)).toEqual([])
    expect(logout.cookies).toEqual([
      expect.stringMatching(/^DS=; Path=\/; Domain=app\.example\.com; Max-Age=0; /),
      expect.stringMatching(/^DSR=; Path=\/; Domain=example\.com; Max-Age=0; /),
    ])
  })

  it('should leave token fields out, and answer logout {}, with jwt_response_fields: omitted (the older shape)', async () => {
    const { control, passkey, call } = project()
    await control('PUT', '/settings', { refresh_token_response_method: 'cookies', jwt_response_fields: 'omitted' })
    const signedUp = await passkey(newLoginId(), new SoftwareAuthenticator())
    expect(signedUp.json.sessionJwt).toMatch(/^ey/)
    expect('refreshJwt' in signedUp.json).toBe(false)
    const refreshJwt = /^DSR=([^;]+)/.exec(signedUp.cookies[0] ?? '')?.[1]
    expect('refreshJwt' in (await call('POST', '/v1/auth/refresh', {}, refreshJwt)).json).toBe(false)
    expect((await call('POST', '/v1/auth/logout', {}, refreshJwt)).json).toEqual({})
  })

  it('should add a fault’s headers to the real answer when it sets no status (e.g. a proxy’s cookie)', async () => {
    const { projectId, control, call } = project()
    await control('POST', '/faults', { route: 'GET /v2/keys', headers: { 'Set-Cookie': '__cf_bm=abc; path=/; HttpOnly; Secure; SameSite=None' }, times: 1 })
    const keys = await call('GET', `/v2/keys/${projectId}`)
    expect(keys.status).toBe(200)
    expect(keys.json.keys).toHaveLength(1)
    expect(keys.cookies).toEqual(['__cf_bm=abc; path=/; HttpOnly; Secure; SameSite=None'])
  })
})
