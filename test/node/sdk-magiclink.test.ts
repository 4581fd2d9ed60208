/**
 * The emulator's magic links (the recovery path, docs/recovery.md) judged by Descope's own
 * `@descope/node-sdk`, unchanged: `magicLink.signIn.email` gets a masked email and puts a link
 * `URI?t=<token>` in the outbox; `magicLink.verify` turns the token into a session the SDK
 * validates, once — with the tokens in the body and as cookies.
 */
import DescopeClient from '@descope/node-sdk'
import { describe, expect, inject, it } from 'vitest'
import { emulatorControl, newProjectId } from '../support/emulator-control.mjs'

const emulatorUrl = inject('emulatorUrl')
const URI = 'https://app.example.com/'

const MODES = [
  ['default settings (tokens in the body)', {}],
  ['both tokens as cookies', { session_token_response_method: 'cookies', refresh_token_response_method: 'cookies' }],
] as const

describe.each(MODES)('@descope/node-sdk magic links against the emulator: %s', (_mode, settings) => {
  const projectId = newProjectId()
  const descope = DescopeClient({ projectId, baseUrl: emulatorUrl })
  const control = emulatorControl(projectId, emulatorUrl)

  /** The token of the newest link emailed to `to`. */
  async function tokenFor(to: string): Promise<string> {
    const email = (await control.outbox()).find((sent) => sent.to === to)
    expect(email?.link.startsWith(`${URI}?t=`)).toBe(true)
    return new URL(email?.link ?? URI).searchParams.get('t') ?? ''
  }

  it('should email a link and sign in with it once', async () => {
    await control.settings(settings)
    const loginId = `magic-${Date.now().toString(36)}@example.com`
    await control.createUser({ loginId })
    const sent = await descope.magicLink.signIn.email(loginId, URI)
    expect(sent.error).toBeUndefined()
    expect(sent.data?.maskedEmail).toBe('m***@example.com')

    const token = await tokenFor(loginId)
    const verified = await descope.magicLink.verify(token)
    expect(verified.error).toBeUndefined()
    const sessionJwt = verified.data?.sessionJwt || /(?:^|[;,]\s*)DS=([^;]*)/.exec(verified.data?.cookies?.join(';') ?? '')?.[1]
    const session = await descope.validateSession(sessionJwt ?? '')
    expect(session.token.amr).toEqual(['email'])
    expect(session.token.su).toBeFalsy()

    const again = await descope.magicLink.verify(token)
    expect(again.ok).toBe(false)
  })

  it('should refuse an unknown login ID and a user without an email, sending nothing', async () => {
    const before = (await control.outbox()).length
    const username = `nomail${Date.now().toString(36)}`
    await control.createUser({ loginId: username })
    expect((await descope.magicLink.signIn.email(username, URI)).ok).toBe(false)
    expect((await descope.magicLink.signIn.email(`nobody-${Date.now().toString(36)}@example.com`, URI)).ok).toBe(false)
    expect((await control.outbox()).length).toBe(before)
  })
})
