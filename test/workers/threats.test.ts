/**
 * Threats of docs/threat-model.md not already covered by the passkey and session tests (each
 * test title names its threat, checked by test/node/threat-index.test.ts): login ID
 * canonicalisation, enumeration at sign-in start, log redaction, CORS, method and path
 * confusion, prototype pollution.
 */
import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { SoftwareAuthenticator } from '../support/authenticator'
import { edgeFor, ORIGIN, SESSION_COOKIE, REFRESH_COOKIE } from '../support/edge'
import { ROUTES } from '../support/routes'
import { Browser, newLoginId, post, setCookiesOf } from './passkey-helpers'

const edge = edgeFor()

afterEach(async () => {
  vi.restoreAllMocks()
  await edge.emulator.clearFaults()
})

/** The structure of a JSON value: key names and value types, not values. */
function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shapeOf)
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, shapeOf(inner)]))
  return typeof value
}

async function upstreamCalls(): Promise<number> {
  return Object.values(await edge.emulator.calls()).reduce((sum, count) => sum + count, 0)
}

describe('login ID canonicalisation (T20)', () => {
  it("should send NFC to Descope whatever the spelling (NFD, spaces around); case is the project's to match", async () => {
    const owner = new Browser(edge)
    const local = `jose\u0301-${crypto.randomUUID().slice(0, 6)}`
    await owner.signUp(`${local}@example.com`)
    const canonical = `${local.normalize('NFC')}@example.com`
    // The emulator's default project matches case-insensitively (test/workers/settings-matrix.test.ts
    // runs a case-sensitive one); fullwidth forms are other login IDs for Descope.
    for (const spelling of [canonical, `${local}@example.com`, canonical.toUpperCase(), ` ${canonical} `]) {
      const signIn = await new Browser(edge, owner.authenticator).signIn(spelling)
      expect(signIn.body.user.loginIds, spelling).toEqual([canonical])
    }
  })

  it('should refuse zero-width, bidi and other invisible characters wherever they are (400 invalid_login_id)', async () => {
    const before = await upstreamCalls()
    for (const char of [
      '\u200B',
      '\u200C',
      '\u200D',
      '\u2060',
      '\uFEFF',
      '\u202A',
      '\u202E',
      '\u2066',
      '\u2069',
      '\u061C',
      '\u00AD',
      '\u180E',
      '\u3000',
      '\uFFFF',
    ]) {
      for (const loginId of [`${char}eve@example.com`, `eve${char}@example.com`, `eve@example.com${char}`]) {
        const response = await post(edge, '/auth/passkey/signin/start', { loginId })
        expect([response.status, ((await response.json()) as any).error.code], JSON.stringify(loginId)).toEqual([400, 'invalid_login_id'])
      }
    }
    expect(await upstreamCalls()).toBe(before)
  })
})

describe('no enumeration at sign-in start (T21)', () => {
  async function startFor(loginId: string) {
    const response = await post(edge, '/auth/passkey/signin/start', { loginId })
    const text = await response.text()
    return { response, text, body: JSON.parse(text) as { transactionId: string; options: { publicKey: Record<string, any> } } }
  }

  it('should answer a known and an unknown login ID with the same status, shape, headers and cookies', async () => {
    const owner = new Browser(edge)
    const known = newLoginId('known')
    await owner.signUp(known)
    const unknown = newLoginId('nobody')
    const [real, decoy] = [await startFor(known), await startFor(unknown)]
    expect(decoy.response.status).toBe(200)
    expect(real.response.status).toBe(200)
    // A decoy lists one to three credentials (T61), each shaped as the real user's one.
    const firstCredential = (body: typeof real.body) => ({
      ...body,
      options: { publicKey: { ...body.options.publicKey, allowCredentials: body.options.publicKey.allowCredentials.slice(0, 1) } },
    })
    expect(shapeOf(firstCredential(decoy.body))).toEqual(shapeOf(firstCredential(real.body)))
    expect([...decoy.response.headers.keys()].sort()).toEqual([...real.response.headers.keys()].sort())
    // Sizes differ as real users' credentials do: a decoy's ID length is one of the common
    // authenticators' (test/workers/decoy.test.ts), never copied from another user's answer.
    const cookieShape = (response: Response) => setCookiesOf(response).map((cookie) => [cookie.name.length, cookie.value.length, cookie.attributes])
    expect(cookieShape(decoy.response)).toEqual(cookieShape(real.response))
    const { publicKey } = decoy.body.options
    expect(publicKey.rpId).toBe(real.body.options.publicKey.rpId)
    expect([1, 2, 3]).toContain(publicKey.allowCredentials.length)
    for (const credential of publicKey.allowCredentials) {
      expect(shapeOf(credential)).toEqual(shapeOf(real.body.options.publicKey.allowCredentials[0]))
      expect(credential.id).toMatch(/^[A-Za-z0-9_-]+$/)
      expect([22, 27, 43]).toContain(credential.id.length)
    }
  })

  it('should give an unknown login ID the same credential ID each time (a second ask tells nothing), and another ID another', async () => {
    const unknown = newLoginId('ghost')
    const first = await startFor(unknown)
    const again = await startFor(unknown.toUpperCase())
    const other = await startFor(newLoginId('ghost'))
    const idOf = (start: typeof first) => start.body.options.publicKey.allowCredentials[0].id
    expect(idOf(again)).toBe(idOf(first))
    expect(idOf(other)).not.toBe(idOf(first))
    // Challenges and transactions are fresh, as for a real start.
    expect(again.body.options.publicKey.challenge).not.toBe(first.body.options.publicKey.challenge)
    expect(again.body.transactionId).not.toBe(first.body.transactionId)
  })

  it('should fail the finish of a decoy exactly like a failed real finish (401, same body, no cookies)', async () => {
    const owner = new Browser(edge)
    const known = newLoginId('known')
    await owner.signUp(known)
    // A real user with the wrong authenticator: Descope refuses the assertion.
    const impostor = new Browser(edge, new SoftwareAuthenticator())
    const realStart = await impostor.call('/auth/passkey/signin/start', { loginId: known })
    const credential = await owner.authenticator.get(realStart.body.options, ORIGIN)
    const tampered = { ...credential, response: { ...credential.response, signature: `${credential.response.signature.slice(0, -4)}AAAA` } }
    const realFinish = await impostor.post('/auth/passkey/signin/finish', { transactionId: realStart.body.transactionId, response: tampered })

    const stranger = new Browser(edge)
    const decoyStart = await stranger.call('/auth/passkey/signin/start', { loginId: newLoginId('nobody') })
    const forged = await new SoftwareAuthenticator().create(
      {
        publicKey: {
          challenge: decoyStart.body.options.publicKey.challenge,
          rp: { id: 'app.example.com', name: 'x' },
          user: { id: 'AAAA', name: 'x', displayName: 'x' },
          pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
        },
      },
      ORIGIN
    )
    const decoyFinish = await stranger.post('/auth/passkey/signin/finish', { transactionId: decoyStart.body.transactionId, response: forged })

    expect(decoyFinish.status).toBe(401)
    expect(realFinish.status).toBe(401)
    // Byte for byte, but for the request ID each answer carries (random per request: no oracle).
    const withoutRequestId = async (response: Response) => (await response.text()).replace(/"requestId":"[^"]+"/, '')
    expect(await withoutRequestId(decoyFinish)).toBe(await withoutRequestId(realFinish))
    const sessionCookies = (response: Response) => setCookiesOf(response).filter((cookie) => !cookie.name.startsWith('__Host-ptx-'))
    expect(sessionCookies(decoyFinish)).toEqual([])
    expect(sessionCookies(realFinish)).toEqual([])
  })
})

describe('log redaction (T45)', () => {
  it('should log no token, cookie value, transaction ID, binding secret or login ID in happy and failing flows', async () => {
    const lines: string[] = []
    for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        lines.push(args.map((arg) => (typeof arg === 'string' ? arg : (JSON.stringify(arg) ?? String(arg)))).join(' '))
      })
    }
    const secrets = new Set<string>()
    const keep = (value: unknown) => typeof value === 'string' && value.length >= 8 && secrets.add(value)
    const watch = (response: Response) => {
      for (const cookie of setCookiesOf(response)) keep(cookie.value)
      return response
    }

    // Happy: sign-up, sign-in, protected calls, refresh, add-device, logout.
    const loginId = newLoginId('secret-person')
    keep(loginId)
    const browser = new Browser(edge)
    await browser.signUp(loginId)
    const second = new Browser(edge, browser.authenticator)
    const prepared = await second.prepare('signin', { loginId })
    keep(prepared.transactionId)
    const bound = second.jar.clone()
    for (const value of [...browser.jar.cookies.values(), ...second.jar.cookies.values()]) keep(value)
    watch(await second.post('/auth/passkey/signin/finish', prepared))
    for (const value of second.jar.cookies.values()) keep(value)
    const cookieHeader = browser.jar.header()
    for (const path of ['/api/hello', '/api/sensitive', '/auth/session', '/auth/me']) watch(await edge.fetch(path, { headers: { Cookie: cookieHeader } }))
    watch(await edge.fetch('/api/hello', { headers: { Authorization: `Bearer ${browser.jar.cookies.get(SESSION_COOKIE)}` } }))
    watch(await browser.post('/auth/refresh', {}))
    for (const value of browser.jar.cookies.values()) keep(value)
    // Add a device: the same signed-in browser with a second authenticator.
    const adder = new Browser(edge, new SoftwareAuthenticator())
    for (const [name, value] of browser.jar.cookies) adder.jar.cookies.set(name, value)
    const update = await adder.prepare('update', {})
    keep(update.transactionId)
    for (const value of adder.jar.cookies.values()) keep(value)
    const updateJar = adder.jar.clone()
    watch(await adder.post('/auth/passkey/update/finish', update))

    // Failing: replay, foreign browser, bad tokens, refresh token as session, upstream faults, KV down.
    watch(await adder.post('/auth/passkey/update/finish', update, { jar: updateJar }))
    watch(await new Browser(edge).post('/auth/passkey/signin/finish', prepared))
    watch(await second.post('/auth/passkey/signin/finish', prepared, { jar: bound.clone() }))
    const refresh = browser.jar.cookies.get(REFRESH_COOKIE)!
    watch(await edge.fetch('/api/hello', { headers: { Authorization: `Bearer ${refresh}` } }))
    watch(await edge.fetch('/api/hello', { headers: { Authorization: `Bearer ${refresh.slice(0, -6)}AAAAAA` } }))
    const forged = await edge.emulator.sign({ sub: 'U1', iss: 'nope', exp: 1 }, { kid: 'forged-kid' })
    keep(forged)
    watch(await edge.fetch('/api/hello', { headers: { Authorization: `Bearer ${forged}` } }))
    for (const fault of [
      { status: 500, body: { errorCode: 'E1', errorDescription: `boom ${loginId}` } },
      { status: 200, body: '<html>' },
      { status: 429, headers: { 'Retry-After': '3' } },
    ]) {
      await edge.emulator.clearFaults()
      await edge.emulator.fault({ route: '*', ...fault })
      watch(await new Browser(edge).post('/auth/passkey/signin/start', { loginId }))
      watch(await second.post('/auth/refresh', {}))
    }
    await edge.emulator.clearFaults()
    const broken = edgeFor(edge.projectId, { TRANSACTIONS: { get: () => Promise.reject(new Error(`KV down ${loginId}`)) } as unknown as KVNamespace })
    watch(await post(broken, '/auth/passkey/signin/finish', prepared, { jar: bound.clone() }))
    watch(await browser.post('/auth/logout', {}))
    watch(await browser.post('/auth/logout', {}))

    vi.restoreAllMocks()
    const log = lines.join('\n')
    expect(lines.length).toBeGreaterThan(5)
    // Every line is one JSON event stamped with its request's ID (src/telemetry/log.ts).
    for (const line of lines) expect(JSON.parse(line), line).toMatchObject({ event: expect.any(String), requestId: expect.any(String) })
    expect(log).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./)
    expect(secrets.size).toBeGreaterThan(6)
    for (const secret of secrets) expect(log.includes(secret), `a secret of ${secret.length} characters is in the log`).toBe(false)
    expect(log).not.toMatch(/secret-person/)
  })
})

describe('CORS (T42)', () => {
  const CORS = /^access-control-allow-/i
  const corsHeaders = (response: Response) => [...response.headers.keys()].filter((name) => CORS.test(name))

  it('should answer no preflight with Access-Control-Allow-* headers, for any origin', async () => {
    for (const [, path] of ROUTES) {
      for (const origin of ['https://evil.example', 'null', ORIGIN]) {
        const response = await edge.fetch(path, {
          method: 'OPTIONS',
          headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
        })
        expect(corsHeaders(response), `${path} ${origin}`).toEqual([])
        expect(response.status).toBe(405)
      }
    }
  })

  it('should add no Access-Control-Allow-* header to answers to a foreign origin', async () => {
    for (const [method, path] of ROUTES) {
      const response = await edge.fetch(path, {
        method,
        headers: { Origin: 'https://evil.example', 'Content-Type': 'application/json' },
        body: method === 'POST' ? '{}' : undefined,
      })
      expect(corsHeaders(response), path).toEqual([])
      if (method === 'POST') expect(response.status, path).toBe(403)
    }
  })
})

describe('method and path confusion (T19)', () => {
  const WRONG_METHODS = ['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'POST']

  it('should answer 405 method_not_allowed with Allow for a known path and another method, touching nothing', async () => {
    const put = vi.spyOn(env.TRANSACTIONS, 'put')
    const before = await upstreamCalls()
    for (const [method, path] of ROUTES) {
      for (const wrong of WRONG_METHODS.filter((candidate) => candidate !== method && !(method === 'GET' && candidate === 'HEAD'))) {
        const response = await edge.fetch(path, {
          method: wrong,
          headers: { Origin: ORIGIN, 'Content-Type': 'application/json' },
          body: ['GET', 'HEAD'].includes(wrong) ? undefined : JSON.stringify({ loginId: 'a@example.com' }),
        })
        expect(response.status, `${wrong} ${path}`).toBe(405)
        expect(response.headers.get('Allow')).toBe(method)
        expect(response.headers.get('Cache-Control')).toBe('no-store')
        if (wrong !== 'HEAD') {
          expect(await response.json()).toEqual({
            error: { code: 'method_not_allowed', message: 'This path does not take that method.', requestId: expect.any(String) },
          })
        }
      }
    }
    expect(put).not.toHaveBeenCalled()
    expect(await upstreamCalls()).toBe(before)
  })

  it('should answer 404 not_found for other spellings of a route: trailing slash, case, double slash, percent-encoding', async () => {
    const before = await upstreamCalls()
    const variants = [
      '/auth/passkey/signin/start/',
      '/auth/passkey/signin/finish/',
      '/AUTH/passkey/signin/start',
      '/auth/Passkey/signin/start',
      '//auth/passkey/signin/start',
      '/auth//passkey/signin/start',
      '/auth/%70asskey/signin/start',
      '/auth/passkey%2Fsignin/start',
      '/auth/passkey/signin%2Fstart',
      '/auth/passkey/signin/start%00',
      '/auth/passkey/signin/start%20',
      '/auth/passkey/signin/start;x',
      '/auth/passkey/signin',
      '/auth/passkey',
      '/api/hello/',
      '/api/%68ello',
      '/api/HELLO',
      '/healthz/',
    ]
    for (const path of variants) {
      const method = path.startsWith('/api') || path.startsWith('/healthz') ? 'GET' : 'POST'
      const response = await edge.fetch(path, {
        method,
        headers: { Origin: ORIGIN, 'Content-Type': 'application/json' },
        body: method === 'POST' ? JSON.stringify({ loginId: 'a@example.com' }) : undefined,
      })
      expect(response.status, path).toBe(404)
      expect(await response.json()).toEqual({ error: { code: 'not_found', message: 'There is nothing at this path.', requestId: expect.any(String) } })
      expect(response.headers.get('Cache-Control')).toBe('no-store')
    }
    expect(await upstreamCalls()).toBe(before)
  })

  it('should resolve dot segments before routing, so ../ reaches only the route it names, with its guards', async () => {
    // WHATWG URL parsing (and Cloudflare's) removes dot segments: this is /api/hello, still protected.
    const response = await edge.fetch('/auth/passkey/../../api/hello')
    expect(response.status).toBe(401)
    const escaped = await edge.fetch('/auth/passkey/%2e%2e/%2e%2e/api/hello')
    expect(escaped.status).toBe(401)
  })
})

describe('prototype pollution (T16)', () => {
  it('should refuse __proto__ and constructor keys as unknown fields and leave Object.prototype alone', async () => {
    for (const raw of ['{"__proto__":{"admin":true},"loginId":"a@example.com"}', '{"constructor":{"prototype":{"admin":true}},"loginId":"a@example.com"}']) {
      const response = await post(edge, '/auth/passkey/signup/start', null, { raw })
      expect([response.status, ((await response.json()) as any).error.code]).toEqual([400, 'invalid_request'])
    }
    expect(({} as Record<string, unknown>).admin).toBeUndefined()
  })
})
