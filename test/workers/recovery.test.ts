/**
 * Account recovery by emailed link (docs/recovery.md; threat model T70–T76): off by default,
 * no enumeration, single-use links that point only at an allowed origin, no token in a log,
 * and a recovered session that is not a step-up.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { edgeFor, ORIGIN, SESSION_COOKIE } from '../support/edge'
import { Browser, type Edge, jwtPayload, newLoginId } from './passkey-helpers'

const ON = { RECOVERY: 'email-link' }

/** The `t` of the newest link the emulator emailed to `to`. */
async function linkTokenFor(edge: Edge, to: string): Promise<string | undefined> {
  const email = (await edge.emulator.outbox()).find((sent) => sent.to === to)
  return email === undefined ? undefined : (new URL(email.link).searchParams.get('t') ?? undefined)
}

function get(edge: Edge, browser: Browser, path: string) {
  return edge.fetch(path, { headers: { Cookie: browser.jar.header(), Origin: ORIGIN } })
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('recovery switched off (RECOVERY unset)', () => {
  const edge = edgeFor()

  it('answers 404 on every recovery path, as for a path that does not exist', async () => {
    const browser = new Browser(edge)
    const unknown = await browser.call('/auth/nothing-here', {})
    for (const path of ['/auth/recover/start', '/auth/recover/finish']) {
      const answer = await browser.call(path, { loginId: 'someone@example.com' })
      expect(answer.status).toBe(404)
      expect(answer.body.error.code).toBe(unknown.body.error.code)
    }
    expect((await edge.fetch('/auth/recover/method')).status).toBe(404)
    expect(await edge.emulator.calls()).not.toHaveProperty('POST /v1/auth/magiclink/signin/email')
  })
})

describe('recovery by email link (RECOVERY = "email-link")', () => {
  const edge = edgeFor(undefined, ON)

  it('says it is on, and, against the local emulator only, where its emails land', async () => {
    const response = await edge.fetch('/auth/recover/method')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ method: 'email-link', outbox: `http://emulator.localhost/emulator/${edge.projectId}/outbox` })
    const production = edgeFor(undefined, { ...ON, DESCOPE_BASE_URL: 'https://api.descope.com' })
    expect(await (await production.fetch('/auth/recover/method')).json()).toEqual({ method: 'email-link' })
  })

  it('signs the user in from the emailed link, with session cookies, and the session is not a step-up (T74)', async () => {
    const loginId = newLoginId('lost')
    const owner = new Browser(edge)
    await owner.signUp(loginId)
    const start = await new Browser(edge).call('/auth/recover/start', { loginId })
    expect(start.status).toBe(200)
    expect(start.body).toEqual({ ok: true })
    const emails = await edge.emulator.outbox()
    const email = emails.find((sent) => sent.to === loginId)
    // The link is built by the edge: this origin's page, nothing from the body (T75).
    expect(email?.link.startsWith(`${ORIGIN}/?t=`)).toBe(true)
    const token = await linkTokenFor(edge, loginId)

    // Opened in another browser than the one that asked: it works (T73).
    const other = new Browser(edge)
    const finish = await other.call('/auth/recover/finish', { token })
    expect(finish.status, JSON.stringify(finish.body)).toBe(200)
    expect(JSON.stringify(finish.body)).not.toContain(token)
    expect(finish.body.user.loginIds).toEqual([loginId])
    const sessionJwt = other.jar.cookies.get(SESSION_COOKIE) ?? ''
    expect(jwtPayload(sessionJwt).amr).toEqual(['email'])

    const session = await get(edge, other, '/auth/session')
    expect(session.status).toBe(200)
    const sensitive = await get(edge, other, '/api/sensitive')
    expect(sensitive.status).toBe(401)
    expect(sensitive.headers.get('WWW-Authenticate')).toContain('insufficient_user_authentication')

    // And it can add a passkey on the device in hand (add-device).
    const added = await other.prepare('update', {})
    expect((await other.call('/auth/passkey/update/finish', added)).status).toBe(200)
    other.jar.cookies.clear()
    const signIn = await other.signIn(loginId)
    expect(signIn.status).toBe(200)
  })

  it('refuses a used link, and a second use sets no cookie (T72)', async () => {
    const loginId = newLoginId('replay')
    await new Browser(edge).signUp(loginId)
    await new Browser(edge).call('/auth/recover/start', { loginId })
    const token = await linkTokenFor(edge, loginId)
    expect((await new Browser(edge).call('/auth/recover/finish', { token })).status).toBe(200)
    const replay = new Browser(edge)
    const again = await replay.call('/auth/recover/finish', { token })
    expect(again.status).toBe(400)
    expect(again.body.error.code).toBe('invalid_recovery_link')
    expect(again.response.headers.getAll('Set-Cookie')).toEqual([])
  })

  it.each([
    ['tokens as cookies, empty body fields', { session_token_response_method: 'cookies', refresh_token_response_method: 'cookies' }],
    ['rotation, the older omitted shape', { refresh_token_rotation: true, jwt_response_fields: 'omitted' }],
  ] as const)('signs in from a link whatever the project sends its tokens as: %s', async (_, settings) => {
    const project = edgeFor(undefined, ON)
    await project.emulator.settings(settings)
    const loginId = newLoginId('shapes')
    await new Browser(project).signUp(loginId)
    await new Browser(project).call('/auth/recover/start', { loginId })
    const browser = new Browser(project)
    const finish = await browser.call('/auth/recover/finish', { token: await linkTokenFor(project, loginId) })
    expect(finish.status, JSON.stringify(finish.body)).toBe(200)
    expect(jwtPayload(browser.jar.cookies.get(SESSION_COOKIE) ?? '').amr).toEqual(['email'])
    expect((await get(project, browser, '/auth/session')).status).toBe(200)
  })

  it('refuses an expired link', async () => {
    const project = edgeFor(undefined, ON)
    await project.emulator.settings({ magiclink_expiration: 60 })
    const loginId = newLoginId('late')
    await new Browser(project).signUp(loginId)
    await new Browser(project).call('/auth/recover/start', { loginId })
    const token = await linkTokenFor(project, loginId)
    await project.emulator.setClock(120)
    const late = await new Browser(project).call('/auth/recover/finish', { token })
    expect(late.status).toBe(400)
    expect(late.body.error.code).toBe('invalid_recovery_link')
  })

  it('answers the same for an unknown login ID, a user without an email and a real one, and emails only the real one (T71)', async () => {
    const project = edgeFor(undefined, ON)
    const known = newLoginId('known')
    await new Browser(project).signUp(known)
    const username = `nomail-${crypto.randomUUID().slice(0, 8)}`
    await project.emulator.createUser({ loginId: username })
    const answers = []
    for (const loginId of [known, newLoginId('nobody'), username]) {
      const answer = await new Browser(project).post('/auth/recover/start', { loginId })
      answers.push({ status: answer.status, body: await answer.text(), cookies: answer.headers.getAll('Set-Cookie') })
    }
    expect(new Set(answers.map((answer) => JSON.stringify(answer))).size).toBe(1)
    expect(answers[0]?.status).toBe(200)
    // Descope was asked every time (so the answer waits for nothing that differs), and sent one email.
    expect(await project.emulator.count('POST /v1/auth/magiclink/signin/email')).toBe(3)
    expect((await project.emulator.outbox()).map((sent) => sent.to)).toEqual([known])
  })

  it('sends at most one email per login ID per cool-down, whoever asks (T76)', async () => {
    const project = edgeFor(undefined, ON)
    const loginId = newLoginId('inbox')
    await new Browser(project).signUp(loginId)
    for (const ip of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) {
      const answer = await new Browser(project).call('/auth/recover/start', { loginId }, { headers: { 'CF-Connecting-IP': ip } })
      expect(answer.status).toBe(200)
    }
    expect((await project.emulator.outbox()).length).toBe(1)
  })

  it('limits recovery starts per IP far below passkey starts (T76)', async () => {
    const project = edgeFor(undefined, ON)
    const headers = { 'CF-Connecting-IP': '198.51.100.7' }
    const statuses = []
    for (let index = 0; index < 5; index++) {
      statuses.push((await new Browser(project).post('/auth/recover/start', { loginId: newLoginId('flood') }, { headers })).status)
    }
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200])
    expect(statuses.slice(3)).toEqual([429, 429])
  })

  it('builds the link from the allowed Origin only: a URI in the body is refused, a foreign Origin is 403 (T75)', async () => {
    const loginId = newLoginId('redirect')
    await new Browser(edge).signUp(loginId)
    const withUri = await new Browser(edge).call('/auth/recover/start', { loginId, URI: 'https://evil.example/' })
    expect(withUri.status).toBe(400)
    const foreign = await new Browser(edge, undefined, 'https://evil.example').call('/auth/recover/start', { loginId })
    expect(foreign.status).toBe(403)
    const admin = await new Browser(edge, undefined, 'https://admin.example.com').call('/auth/recover/start', { loginId })
    expect(admin.status).toBe(200)
    const links = (await edge.emulator.outbox()).filter((sent) => sent.to === loginId).map((sent) => new URL(sent.link).origin)
    expect(links).toEqual(['https://admin.example.com'])
  })

  it('never writes the link token or the login ID to a log line (T70)', async () => {
    const lines: string[] = []
    for (const level of ['log', 'info', 'warn', 'error'] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        lines.push(args.map(String).join(' '))
      })
    }
    const project = edgeFor(undefined, ON)
    const loginId = newLoginId('quiet')
    await new Browser(project).signUp(loginId)
    await new Browser(project).call('/auth/recover/start', { loginId })
    await new Browser(project).call('/auth/recover/start', { loginId: newLoginId('ghost') })
    const token = (await linkTokenFor(project, loginId)) ?? ''
    await new Browser(project).call('/auth/recover/finish', { token })
    await new Browser(project).call('/auth/recover/finish', { token })
    const log = lines.join('\n')
    expect(log).toContain('upstream_error')
    expect(token.length).toBeGreaterThan(10)
    expect(log).not.toContain(token)
    expect(log).not.toContain(loginId)
  })

  it('refuses a malformed token body with 400, never a 500', async () => {
    for (const body of [{}, { token: '' }, { token: 42 }, { token: 'a b' }, { token: 'x'.repeat(2000) }, { token: 't', extra: 1 }]) {
      const answer = await new Browser(edge).call('/auth/recover/finish', body)
      expect(answer.status, JSON.stringify(body)).toBe(400)
    }
  })
})
