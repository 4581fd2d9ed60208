import { describe, expect, it } from 'vitest'
import { edgeFor, ORIGIN, REFRESH_COOKIE } from '../support/edge'
import { Browser, finishCalls, newLoginId, post, wellFormedFinish } from './passkey-helpers'

const edge = edgeFor()

const ROUTES = ['signup', 'signin', 'signup-in', 'update'].flatMap((flow) => [`/auth/passkey/${flow}/start`, `/auth/passkey/${flow}/finish`])

async function startCalls(): Promise<number> {
  const calls = await edge.emulator.calls()
  return Object.entries(calls)
    .filter(([route]) => /\/start$/.test(route))
    .reduce((sum, [, count]) => sum + count, 0)
}

async function errorOf(response: Response) {
  return { status: response.status, body: (await response.json()) as { error: { code: string; message: string } } }
}

describe('origin rule (T41)', () => {
  const LOOK_ALIKES: Array<[string, string | null]> = [
    ['foreign', 'https://evil.example'],
    ['suffix', 'https://app.example.com.evil.com'],
    ['prefix', 'https://evil-app.example.com'],
    ['http', 'http://app.example.com'],
    ['upper case', 'https://APP.example.com'],
    ['null', 'null'],
    ['missing', null],
    ['trailing slash', 'https://app.example.com/'],
    ['with port', 'https://app.example.com:443'],
    ['two origins', `${ORIGIN}, ${ORIGIN}`],
  ]

  it.each(LOOK_ALIKES)('should refuse a %s origin at every start and finish with 403 and no Descope call (T12)', async (_, origin) => {
    const starts = await startCalls()
    const finishes = await finishCalls(edge)
    for (const path of ROUTES) {
      const body = path.endsWith('/start') ? { loginId: newLoginId() } : wellFormedFinish('A'.repeat(43))
      const { status, body: answer } = await errorOf(await post(edge, path, body, { origin }))
      expect(status, path).toBe(403)
      expect(answer.error.code).toBe('origin_not_allowed')
    }
    expect(await startCalls()).toBe(starts)
    expect(await finishCalls(edge)).toBe(finishes)
  })

  it('should refuse a foreign origin at finish even with a valid transaction, which stays usable', async () => {
    const browser = new Browser(edge)
    const prepared = await browser.prepare('signup', { loginId: newLoginId() })
    const before = await finishCalls(edge)
    const { status, body } = await errorOf(
      await browser.post('/auth/passkey/signup/finish', prepared, { origin: 'https://evil.example', jar: browser.jar.clone() })
    )
    expect([status, body.error.code]).toEqual([403, 'origin_not_allowed'])
    expect(await finishCalls(edge)).toBe(before)
    expect((await browser.post('/auth/passkey/signup/finish', prepared)).status).toBe(200)
  })

  it("should forward the configured origin string, not the body's (T11)", async () => {
    const { status, body } = await errorOf(await post(edge, '/auth/passkey/signin/start', { loginId: newLoginId(), origin: 'https://evil.example' }))
    expect([status, body.error.code]).toEqual([400, 'invalid_request'])
    expect(body.error.message).toContain('origin')
  })
})

describe('body format', () => {
  it('should refuse a body that is not application/json (415) on every route (T15)', async () => {
    // Add-device checks the session first, so it gets a signed-in browser.
    const browser = new Browser(edge)
    await browser.signUp(newLoginId())
    for (const path of ROUTES) {
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx']) {
        const raw = '{"loginId":"a@example.com"}'
        const { status, body } = await errorOf(await browser.post(path, null, { raw, headers: { 'Content-Type': type }, jar: browser.jar.clone() }))
        expect([status, body.error.code], `${path} ${type}`).toEqual([415, 'unsupported_media_type'])
      }
    }
  })

  it('should refuse malformed JSON and non-object JSON with 400 invalid_request', async () => {
    for (const raw of ['{', '{"loginId":', 'null', '[]', '"a@example.com"', '42', '']) {
      for (const path of ['/auth/passkey/signup/start', '/auth/passkey/signin/finish']) {
        const { status, body } = await errorOf(await post(edge, path, null, { raw }))
        expect([status, body.error.code], `${path} ${raw}`).toEqual([400, 'invalid_request'])
      }
    }
  })

  it('should refuse an oversized body with 413 (declared or streamed) (T18)', async () => {
    const finishes = await finishCalls(edge)
    const big = JSON.stringify({ loginId: 'a@example.com', name: 'x'.repeat(70_000) })
    expect((await errorOf(await post(edge, '/auth/passkey/signup/start', null, { raw: big }))).status).toBe(413)
    const bigFinish = JSON.stringify({ ...wellFormedFinish('A'.repeat(43)), pad: 'x'.repeat(70_000) })
    const { status, body } = await errorOf(await post(edge, '/auth/passkey/signin/finish', null, { raw: bigFinish }))
    expect([status, body.error.code]).toEqual([413, 'payload_too_large'])
    // Start bodies are capped lower than finish bodies.
    const startBody = JSON.stringify({ loginId: 'a@example.com', name: 'x'.repeat(5_000) })
    expect((await errorOf(await post(edge, '/auth/passkey/signup/start', null, { raw: startBody }))).status).toBe(413)
    expect(await finishCalls(edge)).toBe(finishes)
  })
})

describe('strict shapes (T17)', () => {
  const CASES: Array<[string, string, unknown, string]> = [
    ['missing loginId', '/auth/passkey/signup/start', {}, 'loginId'],
    ['numeric loginId', '/auth/passkey/signin/start', { loginId: 42 }, 'loginId'],
    ['unknown field', '/auth/passkey/signin/start', { loginId: 'a@example.com', extra: 1 }, 'extra'],
    ['customClaims', '/auth/passkey/signin/start', { loginId: 'a@example.com', customClaims: { admin: true } }, 'customClaims'],
    ['templateOptions', '/auth/passkey/signup/start', { loginId: 'a@example.com', templateOptions: { a: 'b' } }, 'templateOptions'],
    ['loginOptions', '/auth/passkey/signin/start', { loginId: 'a@example.com', loginOptions: { stepup: true } }, 'loginOptions'],
    ['origin', '/auth/passkey/signup-in/start', { loginId: 'a@example.com', origin: ORIGIN }, 'origin'],
    ['non-boolean stepup', '/auth/passkey/signin/start', { stepup: 'yes' }, 'stepup'],
    ['email (unverified: T63)', '/auth/passkey/signup/start', { loginId: 'a@example.com', email: 'victim@example.com' }, 'email'],
    ['phone (unverified: T63)', '/auth/passkey/signup/start', { loginId: 'a@example.com', phone: '+15551234567' }, 'phone'],
    ['missing transactionId', '/auth/passkey/signin/finish', { response: {} }, 'transactionId'],
    ['numeric transactionId', '/auth/passkey/signin/finish', { transactionId: 1, response: {} }, 'transactionId'],
    ['missing response', '/auth/passkey/signin/finish', { transactionId: 'A'.repeat(43) }, 'response'],
    ['response not a credential', '/auth/passkey/signin/finish', { transactionId: 'A'.repeat(43), response: { id: 'x' } }, 'response'],
    ['response not JSON', '/auth/passkey/signin/finish', { transactionId: 'A'.repeat(43), response: '{nope' }, 'response'],
  ]

  it.each(CASES)('should refuse %s with 400 invalid_request naming the field', async (_, path, payload, field) => {
    const starts = await startCalls()
    const { status, body } = await errorOf(await post(edge, path, payload))
    expect([status, body.error.code]).toEqual([400, 'invalid_request'])
    expect(body.error.message).toContain(`"${field}"`)
    expect(await startCalls()).toBe(starts)
  })

  it('should accept the credential as a JSON string too', async () => {
    const browser = new Browser(edge)
    const prepared = await browser.prepare('signup', { loginId: newLoginId() })
    const response = await browser.post('/auth/passkey/signup/finish', { transactionId: prepared.transactionId, response: JSON.stringify(prepared.response) })
    expect(response.status).toBe(200)
  })
})

describe('login IDs', () => {
  const REFUSED: Array<[string, string]> = [
    ['empty', ''],
    ['only spaces', '   '],
    ['zero-width space', 'ali\u200Bce@example.com'],
    ['zero-width joiner', 'ali\u200Dce@example.com'],
    ['bidi override', 'alice\u202Emoc.elpmaxe@'],
    ['NUL', 'alice\u0000@example.com'],
    ['line feed', 'alice@example.com\nadmin'],
    ['no-break space', 'alice\u00A0@example.com'],
    ['too long', `${'a'.repeat(250)}@example.com`],
  ]

  it.each(REFUSED)('should refuse a login ID with %s (400 invalid_login_id, no Descope call)', async (_, loginId) => {
    const starts = await startCalls()
    for (const flow of ['signup', 'signin', 'signup-in']) {
      const { status, body } = await errorOf(await post(edge, `/auth/passkey/${flow}/start`, { loginId }))
      expect([status, body.error.code]).toEqual([400, 'invalid_login_id'])
      expect(body.error.message).not.toContain(loginId.trim() || '\u0000')
    }
    expect(await startCalls()).toBe(starts)
  })

  it('should accept a 254-character login ID', async () => {
    const loginId = `${'a'.repeat(242)}@example.com`
    expect(loginId).toHaveLength(254)
    expect((await post(edge, '/auth/passkey/signup/start', { loginId })).status).toBe(200)
  })
})

describe('add-device guards (T06)', () => {
  it('should refuse add-device without a session (401) and never call Descope', async () => {
    const starts = await startCalls()
    const finishes = await finishCalls(edge)
    for (const path of ['/auth/passkey/update/start', '/auth/passkey/update/finish']) {
      const body = path.endsWith('start') ? {} : wellFormedFinish('A'.repeat(43))
      const { status, body: answer } = await errorOf(await post(edge, path, body))
      expect([status, answer.error.code], path).toEqual([401, 'unauthorized'])
    }
    expect(await startCalls()).toBe(starts)
    expect(await finishCalls(edge)).toBe(finishes)
  })

  it('should refuse a login ID in the add-device body (400), even from a signed-in browser', async () => {
    const browser = new Browser(edge)
    await browser.signUp(newLoginId())
    const before = await edge.emulator.count('POST /v1/auth/webauthn/update/start')
    const { status, body } = await errorOf(await browser.post('/auth/passkey/update/start', { loginId: 'victim@example.com' }))
    expect([status, body.error.code]).toEqual([400, 'invalid_request'])
    expect(body.error.message).toContain('"loginId"')
    expect(await edge.emulator.count('POST /v1/auth/webauthn/update/start')).toBe(before)
  })

  it('should refuse add-device with a session but no refresh cookie (401)', async () => {
    const browser = new Browser(edge)
    await browser.signUp(newLoginId())
    browser.jar.cookies.delete(REFRESH_COOKIE)
    const before = await edge.emulator.count('POST /v1/auth/webauthn/update/start')
    const { status, body } = await errorOf(await browser.post('/auth/passkey/update/start', {}))
    expect([status, body.error.code]).toEqual([401, 'unauthorized'])
    expect(await edge.emulator.count('POST /v1/auth/webauthn/update/start')).toBe(before)
  })

  it('should refuse add-device with a session of one user and the refresh cookie of another (401)', async () => {
    const first = new Browser(edge)
    await first.signUp(newLoginId())
    const second = new Browser(edge)
    await second.signUp(newLoginId())
    first.jar.cookies.set(REFRESH_COOKIE, second.jar.cookies.get(REFRESH_COOKIE)!)
    const before = await edge.emulator.count('POST /v1/auth/webauthn/update/start')
    const { status, body } = await errorOf(await first.post('/auth/passkey/update/start', {}))
    expect([status, body.error.code]).toEqual([401, 'unauthorized'])
    expect(await edge.emulator.count('POST /v1/auth/webauthn/update/start')).toBe(before)
  })
})
