/**
 * T50: sign-up-or-in of a login ID whose user exists without a passkey (made in the console, by
 * OTP or the management API). What Descope's `signup-in/start` does for such a user is
 * unpublished, so the emulator plays each reading (`passkeyless_signup_in`): the hostile
 * `attach` (its sign-up finish enrols the passkey on that user), `new_user` and `refuse`, under
 * both login-ID matchings. Whatever Descope does, a stranger who knows the login ID, in any case
 * spelling, gets no session for that user and enrols no passkey on it, and the answer is that of
 * an unknown login ID whose sign-up Descope refuses: same status, body, headers, Descope calls.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { ProjectSettings } from '../../emulator/src/settings'
import { SoftwareAuthenticator } from '../support/authenticator'
import { edgeFor, newProjectId } from '../support/edge'
import { Browser, newLoginId } from './passkey-helpers'

const READINGS: Array<ProjectSettings['passkeyless_signup_in']> = ['attach', 'new_user', 'refuse']
const MATCHINGS: Array<ProjectSettings['login_id_case']> = ['insensitive', 'sensitive']

type Edge = ReturnType<typeof edgeFor>

/** A sign-up-or-in on a new browser, carried through to finish when start lets it: what each step answered, and Descope's calls up to start. */
async function signUpOrIn(edge: Edge, loginId: string, authenticator = new SoftwareAuthenticator()) {
  await edge.emulator.resetCalls()
  const browser = new Browser(edge, authenticator)
  const start = await browser.post('/auth/passkey/signup-in/start', { loginId })
  const startText = await start.text()
  const calls = await edge.emulator.calls()
  if (start.status !== 200) return { start, startText, calls, finish: undefined }
  const { transactionId, options, create } = JSON.parse(startText)
  const response = create ? await authenticator.create(options, browser.origin) : await authenticator.get(options, browser.origin)
  const finish = await browser.call('/auth/passkey/signup-in/finish', { transactionId, response })
  return { start, startText, calls, finish }
}

/** An answer without what differs on every request: the request ID in the body. */
function comparable(response: Response, text: string) {
  const body = JSON.parse(text)
  if (body.error) delete body.error.requestId
  return { status: response.status, body, headers: [...response.headers] }
}

describe.each(MATCHINGS.flatMap((matching) => READINGS.map((reading) => [reading, matching] as const)))(
  'sign-up-or-in of a user without a passkey (T50): Descope %s, login IDs matched case-%s',
  (reading, matching) => {
    const edge = edgeFor(newProjectId())
    const victim = `Victim-${crypto.randomUUID().slice(0, 8)}@Example.com`
    let victimId = ''

    beforeAll(async () => {
      await edge.emulator.settings({ passkeyless_signup_in: reading, login_id_case: matching })
      victimId = await edge.emulator.createUser({ loginId: victim, name: 'Made in the console' })
    })

    afterEach(async () => {
      await edge.emulator.clearFaults()
      // Nothing any attempt did may leave a passkey on her account.
      expect((await edge.emulator.user(victimId)).webauthn).toBe(false)
    })

    const spellings = [
      ['as made', victim],
      ['in lower case', victim.toLowerCase()],
      ['in upper case', victim.toUpperCase()],
    ] as const

    it.each(spellings)('should give no session for her to a stranger typing her login ID %s', async (_, typed) => {
      const attempt = await signUpOrIn(edge, typed)
      const hers = matching === 'insensitive' || typed === victim
      if (!hers) {
        // Another user for a case-sensitive Descope: a new account of its own, not hers.
        expect(attempt.finish?.status).toBe(200)
        expect(attempt.finish?.body.user).toMatchObject({ loginIds: [typed] })
        expect(attempt.finish?.body.user.userId).not.toBe(victimId)
        return
      }
      expect(attempt.start.status, attempt.startText).toBe(400)
      expect(attempt.finish).toBeUndefined()

      // The same refusal for an unknown login ID, at the step where hers stopped.
      const refusedAt = attempt.calls['POST /v1/auth/webauthn/signup/start'] ? 'POST /v1/auth/webauthn/signup/start' : 'POST /v1/auth/webauthn/signup-in/start'
      await edge.emulator.fault({
        route: refusedAt,
        status: 400,
        body: { errorCode: 'E011003', errorDescription: 'Request is invalid', errorMessage: 'Login ID refused' },
        times: 1,
      })
      const unknown = await signUpOrIn(edge, newLoginId('stranger'))
      expect(comparable(attempt.start, attempt.startText)).toEqual(comparable(unknown.start, unknown.startText))
      expect(comparable(attempt.start, attempt.startText).body.error.code).toBe('invalid_login_id')
      expect(attempt.calls).toEqual(unknown.calls)
    })

    it('should still sign up a new login ID and sign it in again', async () => {
      const loginId = newLoginId('newcomer')
      const device = new SoftwareAuthenticator()
      const first = await signUpOrIn(edge, loginId, device)
      expect(JSON.parse(first.startText).create).toBe(true)
      expect(first.finish).toMatchObject({ status: 200, body: { firstSeen: true, user: { loginIds: [loginId] } } })
      // Descope's create, confirmed by its sign-up start, whose transaction was the one finished.
      expect(first.calls).toEqual({ 'POST /v1/auth/webauthn/signup-in/start': 1, 'POST /v1/auth/webauthn/signup/start': 1 })
      const again = await signUpOrIn(edge, loginId, device)
      expect(JSON.parse(again.startText).create).toBe(false)
      expect(again.finish).toMatchObject({ status: 200, body: { firstSeen: false, user: { userId: first.finish?.body.user.userId } } })
      expect(again.calls).toEqual({ 'POST /v1/auth/webauthn/signup-in/start': 1 })
    })
  }
)

describe('sign-up-or-in when Descope says create for a user who has passkeys (T50)', () => {
  const edge = edgeFor(newProjectId())

  it('should not follow it: sign-up start is asked, refuses, and her passkeys stay hers', async () => {
    const owner = new Browser(edge)
    const loginId = newLoginId('owner')
    const userId = (await owner.signUp(loginId)).body.user.userId
    // A Descope beyond the emulator's readings: `create: true` for a user with a passkey.
    const options = JSON.stringify({
      publicKey: { challenge: 'AAAA', rp: { id: 'app.example.com', name: 'x' }, user: { id: 'AAAA', name: loginId, displayName: loginId } },
    })
    await edge.emulator.fault({
      route: 'POST /v1/auth/webauthn/signup-in/start',
      status: 200,
      body: { transactionId: 'T-hostile', options, create: true },
      times: 1,
    })
    const attempt = await signUpOrIn(edge, loginId)
    expect(attempt.start.status, attempt.startText).toBe(400)
    expect(attempt.calls['POST /v1/auth/webauthn/signup/start']).toBe(1)
    // Her own passkey still signs her in.
    expect((await new Browser(edge, owner.authenticator).signIn(loginId)).body.user.userId).toBe(userId)
    await edge.emulator.clearFaults()
  })
})

describe('sign-up-or-in of a user who removed all her passkeys (T50)', () => {
  const edge = edgeFor(newProjectId())

  it('should refuse a stranger, and let only her own session enrol a passkey again (add-device)', async () => {
    const owner = new Browser(edge)
    const loginId = newLoginId('bare')
    const userId = (await owner.signUp(loginId)).body.user.userId
    // She removes every passkey in the console; her session at the edge stays.
    expect((await edge.emulator.removePasskeys(userId)).webauthn).toBe(false)

    const stranger = await signUpOrIn(edge, loginId)
    expect(stranger.start.status, stranger.startText).toBe(400)
    expect(JSON.parse(stranger.startText).error.code).toBe('invalid_login_id')
    expect((await edge.emulator.user(userId)).webauthn).toBe(false)

    // The one way back: add-device with her own session, then that passkey signs her in.
    const phone = new SoftwareAuthenticator()
    const device = new Browser(edge, phone)
    for (const [name, value] of owner.jar.cookies) device.jar.cookies.set(name, value)
    const added = await device.prepare('update', {})
    expect((await device.call('/auth/passkey/update/finish', added)).status).toBe(200)
    expect((await new Browser(edge, phone).signIn(loginId)).body.user.userId).toBe(userId)
  })
})
