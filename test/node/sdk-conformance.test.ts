/**
 * The emulator's fidelity, measured with Descope's own client: the official `@descope/node-sdk`,
 * unchanged, runs every passkey and session call against the emulator over HTTP, with a software
 * authenticator playing the browser — in the default project settings, with both tokens sent as
 * cookies (node-sdk then reads `DSR` from Set-Cookie itself, and `DS` when refreshing), and with
 * refresh-token rotation — each in the answer shape Descope's SDK fixtures show (`""` for a token
 * not in the body) and in the older one with those fields left out (`jwt_response_fields`).
 */
import DescopeClient from '@descope/node-sdk'
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { SoftwareAuthenticator, base64url, fromBase64url } from '../support/authenticator'
import { emulatorControl, newProjectId } from '../support/emulator-control.mjs'

const ORIGIN = 'https://app.example.com'
const emulatorUrl = inject('emulatorUrl')

let users = 0
function newLoginId(): string {
  return `user${++users}-${Date.now().toString(36)}@example.com`
}

function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(new TextDecoder().decode(fromBase64url(jwt.split('.')[1] ?? '')))
}

/** A cookie's value in node-sdk's `cookies` (raw Set-Cookie text in cookie mode), as its own parser reads it. */
function cookieValue(cookies: string[] | undefined, name: string): string | undefined {
  return new RegExp(`(?:^|[;,]\\s*)${name}=([^;]*)`).exec(cookies?.join(';') ?? '')?.[1] || undefined
}

const SHAPES = [
  ['', {}],
  [', token fields left out', { jwt_response_fields: 'omitted' }],
] as const
const MODES = SHAPES.flatMap(
  ([shape, fields]) =>
    [
      [`default settings (tokens in the body)${shape}`, { ...fields }],
      [`both tokens as cookies${shape}`, { session_token_response_method: 'cookies', refresh_token_response_method: 'cookies', ...fields }],
      [`refresh-token rotation${shape}`, { refresh_token_rotation: true, ...fields }],
    ] as const
)

describe.each(MODES)('@descope/node-sdk against the emulator: %s', (mode, settings) => {
  const projectId = newProjectId()
  const descope = DescopeClient({ projectId, baseUrl: emulatorUrl })
  const sessionCookies = 'session_token_response_method' in settings
  const refreshCookies = 'refresh_token_response_method' in settings
  const rotation = 'refresh_token_rotation' in settings
  /** What a token field holds when the token is not in the body. */
  const notInBody = 'jwt_response_fields' in settings ? undefined : ''
  type FinishData = { sessionJwt?: string; refreshJwt?: string; cookies?: string[] }

  /** The session JWT of a finish answer: from the body, or from the DS cookie node-sdk passes on. */
  const sessionOf = (data: FinishData | undefined): string => {
    const jwt = sessionCookies ? cookieValue(data?.cookies, 'DS') : data?.sessionJwt
    expect(jwt, 'session JWT').toMatch(/^ey/)
    return jwt!
  }

  const control = emulatorControl(projectId, emulatorUrl)

  /** Sign-up start + create + finish; the finish answer, with its session JWT wherever it came. */
  async function signUp(authenticator: SoftwareAuthenticator, loginId = newLoginId()) {
    const start = await descope.webauthn.signUp.start(loginId, ORIGIN, 'Alice Example')
    expect(start.ok).toBe(true)
    const response = await authenticator.create(JSON.parse(start.data!.options), ORIGIN)
    const finish = await descope.webauthn.signUp.finish(start.data!.transactionId, JSON.stringify(response))
    expect(finish.error).toBeUndefined()
    return { loginId, ...finish.data!, sessionJwt: sessionOf(finish.data) }
  }

  /** Sign-in start + get; the pieces, so a test can tamper before finishing. */
  async function signInStart(authenticator: SoftwareAuthenticator, loginId: string, origin = ORIGIN) {
    const start = await descope.webauthn.signIn.start(loginId, ORIGIN)
    expect(start.ok).toBe(true)
    const options = JSON.parse(start.data!.options)
    return { transactionId: start.data!.transactionId, options, response: await authenticator.get(options, origin) }
  }

  const authenticator = new SoftwareAuthenticator()
  let account: Awaited<ReturnType<typeof signUp>>

  beforeAll(async () => {
    expect(await control.settings(settings)).toMatchObject(settings)
    account = await signUp(authenticator)
  })

  it('should sign up: Descope-shaped start options and a full JWT response', async () => {
    const loginId = newLoginId()
    const start = await descope.webauthn.signUp.start(loginId, ORIGIN, 'Bob')
    expect(start.data?.create).toBe(true)
    const options = JSON.parse(start.data!.options)
    expect(options.publicKey.rp.id).toBe('app.example.com')
    expect(options.publicKey.challenge).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(options.publicKey.user).toMatchObject({ name: loginId, displayName: 'Bob' })
    expect(options.publicKey.pubKeyCredParams.map((param: { alg: number }) => param.alg)).toEqual([-7, -257])

    const response = await new SoftwareAuthenticator().create(options, ORIGIN)
    const finish = await descope.webauthn.signUp.finish(start.data!.transactionId, JSON.stringify(response))
    expect(finish.ok).toBe(true)
    const data = finish.data!
    expect(data.firstSeen).toBe(true)
    expect(data.cookiePath).toBe('/')
    expect(data.cookieMaxAge).toBe(2419200)
    expect(typeof data.sessionExpiration).toBe('number')
    expect(data.user).toMatchObject({ loginIds: [loginId], name: 'Bob', status: 'enabled', roleNames: [], ssoAppIds: [], OAuth: {}, webauthn: true })
    expect(typeof data.user?.createdTime).toBe('number')
    expect(data.user?.userId).toMatch(/^U[A-Za-z0-9]{27}$/)
    if (refreshCookies) {
      // node-sdk found the refresh JWT in Set-Cookie itself and passes the raw header on (docs/descope-contract.md §7).
      expect(data.cookies?.[0]).toMatch(/(?:^|, )DSR=ey[^;]+; Path=\/; Max-Age=2419200; Expires=[^;]+; HttpOnly; Secure; SameSite=None/)
      expect(data.cookies?.[0]).toMatch(/(?:^|, )DS=ey[^;]+; Path=\/; Max-Age=600; Expires=[^;]+; HttpOnly; Secure; SameSite=None/)
      expect(data.sessionJwt).toBe(notInBody)
    } else {
      // node-sdk builds the refresh cookie from the body (docs/descope-contract.md §7).
      expect(data.cookies?.[0]).toMatch(/^DSR=ey[^;]+; Domain=; Max-Age=2419200; Path=\/; HttpOnly; SameSite=Strict$/)
    }
    expect(data.refreshJwt).toMatch(/^ey/)

    const session = claimsOf(sessionOf(data))
    expect(session).toMatchObject({ iss: projectId, sub: data.user?.userId, drn: 'DS', amr: ['webauthn'], roles: [], permissions: [], tenants: {} })
    expect(Number(session.exp) - Number(session.iat)).toBe(600)
    expect(session.rexp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    expect(claimsOf(data.refreshJwt!)).toMatchObject({ iss: projectId, sub: data.user?.userId, drn: 'DSR' })
  })

  it('should sign in with the passkey', async () => {
    const start = await descope.webauthn.signIn.start(account.loginId, ORIGIN)
    expect(start.data?.create).toBe(false)
    const options = JSON.parse(start.data!.options)
    expect(options.publicKey.rpId).toBe('app.example.com')
    expect(options.publicKey.allowCredentials).toEqual([{ type: 'public-key', id: authenticator.credentials[0]?.id, transports: ['internal', 'hybrid'] }])

    const response = await authenticator.get(options, ORIGIN)
    const finish = await descope.webauthn.signIn.finish(start.data!.transactionId, JSON.stringify(response))
    expect(finish.ok).toBe(true)
    expect(finish.data?.firstSeen).toBe(false)
    expect(finish.data?.user?.userId).toBe(account.user?.userId)
    expect(finish.data?.refreshJwt).toMatch(/^ey/)
    expect(claimsOf(sessionOf(finish.data)).sub).toBe(account.user?.userId)
  })

  it('should sign in without a login ID: no allow list, the user found from the passkey', async () => {
    // A second user on another device, so the emulator has to pick the right one.
    const other = await signUp(new SoftwareAuthenticator())
    const start = await descope.webauthn.signIn.start('', ORIGIN)
    expect(start.ok).toBe(true)
    const options = JSON.parse(start.data!.options)
    expect(options.publicKey.rpId).toBe('app.example.com')
    expect(options.publicKey).not.toHaveProperty('allowCredentials')

    const response = await authenticator.get(options, ORIGIN)
    expect(response.response.userHandle).toBeTruthy()
    const finish = await descope.webauthn.signIn.finish(start.data!.transactionId, JSON.stringify(response))
    expect(finish.ok).toBe(true)
    expect(finish.data?.user?.userId).toBe(account.user?.userId)
    expect(finish.data?.user?.userId).not.toBe(other.user?.userId)
    expect(claimsOf(sessionOf(finish.data)).sub).toBe(account.user?.userId)
  })

  it('should refuse a sign-in without a login ID by an unknown passkey or with another user’s handle', async () => {
    // A passkey whose sign-up never finished: the authenticator has it, the emulator does not.
    const stranger = new SoftwareAuthenticator()
    const pending = await descope.webauthn.signUp.start(newLoginId(), ORIGIN, 'Never finished')
    await stranger.create(JSON.parse(pending.data!.options), ORIGIN)
    const unknown = await descope.webauthn.signIn.start('', ORIGIN)
    const unknownResponse = await stranger.get(JSON.parse(unknown.data!.options), ORIGIN)
    const refused = await descope.webauthn.signIn.finish(unknown.data!.transactionId, JSON.stringify(unknownResponse))
    expect(refused.ok).toBe(false)
    expect(refused.code).toBe(400)
    expect(refused.error?.errorCode).toBe('E011003')

    // A real passkey whose userHandle claims another user (the stranger's never-created handle).
    const start = await descope.webauthn.signIn.start('', ORIGIN)
    const response = await authenticator.get(JSON.parse(start.data!.options), ORIGIN)
    const foreign = { ...response, response: { ...response.response, userHandle: stranger.credentials[0]!.userHandle } }
    const mismatch = await descope.webauthn.signIn.finish(start.data!.transactionId, JSON.stringify(foreign))
    expect(mismatch.ok).toBe(false)
    expect(mismatch.error?.errorCode).toBe('E011003')

    // The handle as Swift sends it (raw, decoded) is the same user.
    const again = await descope.webauthn.signIn.start('', ORIGIN)
    const answer = await authenticator.get(JSON.parse(again.data!.options), ORIGIN)
    const raw = new TextDecoder().decode(fromBase64url(answer.response.userHandle!))
    const swift = await descope.webauthn.signIn.finish(
      again.data!.transactionId,
      JSON.stringify({ ...answer, response: { ...answer.response, userHandle: raw } })
    )
    expect(swift.ok).toBe(true)
    expect(swift.data?.user?.userId).toBe(account.user?.userId)
  })

  it('should validate the session JWT through the JWKS', async () => {
    const info = await descope.validateSession(account.sessionJwt)
    expect(info.token).toMatchObject({ sub: account.user?.userId, iss: projectId, drn: 'DS' })
    const calls = await control.calls()
    expect(calls['GET /v2/keys']).toBeGreaterThanOrEqual(1)
  })

  it(`should refresh the session with the refresh JWT${rotation ? ', rotating it' : ''}`, async () => {
    // Two minutes later on the emulator's clock, so the new session differs from the first.
    await control.setClock(120)
    const info = await descope.refreshSession(account.refreshJwt!).finally(() => control.setClock(0))
    expect(Number(info.token.iat) - Number(claimsOf(account.sessionJwt).iat)).toBeGreaterThanOrEqual(120)
    expect(info.token).toMatchObject({ sub: account.user?.userId, drn: 'DS' })
    expect((await descope.validateSession(info.jwt)).token.sub).toBe(account.user?.userId)
    const rotated = (info as { refreshJwt?: string }).refreshJwt
    if (!rotation) {
      expect(rotated).toBeUndefined()
      return
    }
    // A new refresh JWT, and the one it replaces is refused from now on.
    expect(rotated).toMatch(/^ey/)
    expect(rotated).not.toBe(account.refreshJwt)
    await expect(descope.refreshSession(account.refreshJwt!)).rejects.toThrow()
    expect((await descope.me(account.refreshJwt)).code).toBe(401)
    account.refreshJwt = rotated
    expect((await descope.me(account.refreshJwt)).ok).toBe(true)
  })

  it('should answer me with the user at the top level', async () => {
    const me = await descope.me(account.refreshJwt)
    expect(me.ok).toBe(true)
    expect(me.data).toMatchObject({ userId: account.user?.userId, loginIds: [account.loginId], name: 'Alice Example' })
    expect(typeof me.data?.createdTime).toBe('number')
  })

  it('should refuse me and refresh without a valid refresh JWT', async () => {
    const me = await descope.me(account.sessionJwt)
    expect(me.ok).toBe(false)
    expect(me.code).toBe(401)
    await expect(descope.refreshSession(account.sessionJwt)).rejects.toThrow()
  })

  it('should sign up or in: create for a new user, get for a known one', async () => {
    const newcomer = newLoginId()
    const fresh = new SoftwareAuthenticator()
    const first = await descope.webauthn.signUpOrIn.start(newcomer, ORIGIN)
    expect(first.data?.create).toBe(true)
    const created = await fresh.create(JSON.parse(first.data!.options), ORIGIN)
    const signedUp = await descope.webauthn.signUp.finish(first.data!.transactionId, JSON.stringify(created))
    expect(signedUp.data?.firstSeen).toBe(true)

    const again = await descope.webauthn.signUpOrIn.start(newcomer, ORIGIN)
    expect(again.data?.create).toBe(false)
    const asserted = await fresh.get(JSON.parse(again.data!.options), ORIGIN)
    const signedIn = await descope.webauthn.signIn.finish(again.data!.transactionId, JSON.stringify(asserted))
    expect(signedIn.ok).toBe(true)
    expect(signedIn.data?.user?.userId).toBe(signedUp.data?.user?.userId)
  })

  it('should add a device with the refresh JWT, then sign in with it', async () => {
    const user = await signUp(new SoftwareAuthenticator())
    const phone = new SoftwareAuthenticator({ alg: 'RS256' })
    const start = await descope.webauthn.update.start(user.loginId, ORIGIN, user.refreshJwt)
    expect(start.ok).toBe(true)
    const options = JSON.parse(start.data!.options)
    expect(options.publicKey.excludeCredentials).toHaveLength(1)
    const created = await phone.create(options, ORIGIN)
    const finish = await descope.webauthn.update.finish(start.data!.transactionId, JSON.stringify(created))
    expect(finish.ok).toBe(true)
    expect(finish.data).toEqual({})

    const { transactionId, response } = await signInStart(phone, user.loginId)
    const signedIn = await descope.webauthn.signIn.finish(transactionId, JSON.stringify(response))
    expect(signedIn.data?.user?.userId).toBe(user.user?.userId)
  })

  it('should refuse add-device without a refresh JWT, or with another user’s', async () => {
    const other = await signUp(new SoftwareAuthenticator())
    const anonymous = await descope.webauthn.update.start(account.loginId, ORIGIN)
    expect(anonymous.code).toBe(401)
    const foreign = await descope.webauthn.update.start(account.loginId, ORIGIN, other.refreshJwt)
    expect(foreign.code).toBe(401)
  })

  it('should step up: su and merged amr in the new session, refresh JWT required', async () => {
    const refused = await descope.webauthn.signIn.start(account.loginId, ORIGIN, { stepup: true })
    expect(refused.code).toBe(401)
    const start = await descope.webauthn.signIn.start(
      account.loginId,
      ORIGIN,
      { stepup: true, customClaims: { plan: 'gold', sub: 'forged' } },
      account.refreshJwt
    )
    expect(start.ok).toBe(true)
    const response = await authenticator.get(JSON.parse(start.data!.options), ORIGIN)
    const finish = await descope.webauthn.signIn.finish(start.data!.transactionId, JSON.stringify(response))
    const info = await descope.validateSession(sessionOf(finish.data))
    // Custom claims from login options nest under `nsec`: they cannot shadow `sub` (Descope's Swift/Kotlin docs).
    expect(info.token).toMatchObject({ su: true, amr: ['webauthn'], nsec: { plan: 'gold', sub: 'forged' }, sub: account.user?.userId })
  })

  it('should refuse a replayed finish', async () => {
    const { transactionId, response } = await signInStart(authenticator, account.loginId)
    const first = await descope.webauthn.signIn.finish(transactionId, JSON.stringify(response))
    expect(first.ok).toBe(true)
    const replay = await descope.webauthn.signIn.finish(transactionId, JSON.stringify(response))
    expect(replay.ok).toBe(false)
    expect(replay.code).toBe(400)
    expect(replay.error?.errorCode).toBe('E011003')
  })

  it('should refuse a bad signature', async () => {
    const { transactionId, response } = await signInStart(authenticator, account.loginId)
    const signature = fromBase64url(response.response.signature)
    const last = signature.length - 1
    signature[last] = (signature[last] ?? 0) ^ 0x01
    const tampered = { ...response, response: { ...response.response, signature: base64url(signature) } }
    const finish = await descope.webauthn.signIn.finish(transactionId, JSON.stringify(tampered))
    expect(finish.ok).toBe(false)
    expect(finish.code).toBe(400)
    expect(finish.error?.errorMessage).toMatch(/signature/i)
  })

  it('should refuse an assertion made for another origin', async () => {
    const { transactionId, response } = await signInStart(authenticator, account.loginId, 'https://evil.example.com')
    const finish = await descope.webauthn.signIn.finish(transactionId, JSON.stringify(response))
    expect(finish.ok).toBe(false)
    expect(finish.error?.errorMessage).toMatch(/origin/i)
  })

  it('should refuse sign-up of an existing user and sign-in of an unknown one', async () => {
    const existing = await descope.webauthn.signUp.start(account.loginId, ORIGIN, 'Again')
    expect(existing.code).toBe(400)
    expect(existing.error?.errorCode).toBe('E062107')
    const unknown = await descope.webauthn.signIn.start(newLoginId(), ORIGIN)
    expect(unknown.code).toBe(400)
    expect(unknown.error?.errorCode).toBe('E062108')
  })

  it('should log out: a later refresh is refused', async () => {
    const user = await signUp(new SoftwareAuthenticator())
    const refreshed = await descope.refreshSession(user.refreshJwt!)
    const current = (refreshed as { refreshJwt?: string }).refreshJwt ?? user.refreshJwt
    const logout = await descope.logout(current)
    expect(logout.ok).toBe(true)
    await expect(descope.refreshSession(current!)).rejects.toThrow(/logged out/)
    expect((await descope.me(current)).code).toBe(401)
  })

  it('should log out everywhere: every refresh session of the user is refused, others kept', async () => {
    const device = new SoftwareAuthenticator()
    const user = await signUp(device)
    const { transactionId, response } = await signInStart(device, user.loginId)
    const secondSession = await descope.webauthn.signIn.finish(transactionId, JSON.stringify(response))
    const logoutAll = await descope.logoutAll(user.refreshJwt)
    expect(logoutAll.ok).toBe(true)
    expect((await descope.me(user.refreshJwt)).code).toBe(401)
    expect((await descope.me(secondSession.data!.refreshJwt)).code).toBe(401)
    expect((await descope.me(account.refreshJwt)).ok).toBe(true)
  })

  // The authenticator matrix is about WebAuthn, not token delivery: once is enough.
  describe.runIf(mode === MODES[0]?.[0]).each([
    ['ES256', 'none'],
    ['ES256', 'packed'],
    ['RS256', 'none'],
    ['RS256', 'packed'],
  ] as const)('with a %s credential and %s attestation', (alg, attestation) => {
    it('should sign up, sign in and validate the session', async () => {
      const device = new SoftwareAuthenticator({ alg, attestation })
      const user = await signUp(device)
      const { transactionId, response } = await signInStart(device, user.loginId)
      const finish = await descope.webauthn.signIn.finish(transactionId, JSON.stringify(response))
      expect(finish.ok).toBe(true)
      expect((await descope.validateSession(sessionOf(finish.data))).token.sub).toBe(user.user?.userId)
    })
  })
})
