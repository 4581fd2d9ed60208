/**
 * Tokens Descope issues are checked the same way on every path that sets cookies (passkey finish
 * and refresh), cookie lifetimes stay within the browsers' 400-day limit, and a refresh cookie
 * that does not verify at the edge never reaches Descope, on any route.
 */
import { createExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { Hono } from 'hono'
import { afterEach, describe, expect, it } from 'vitest'
import { descopeSession } from '../../src/package/descope-session'
import { SessionVerifier } from '../../src/package/entrypoint'
import { getKeyStore } from '../../src/keys/key-store'
import { createVerifier } from '../../src/package/standalone'
import { EMULATOR_URL, edgeFor, ORIGIN, SESSION_COOKIE, REFRESH_COOKIE } from '../support/edge'
import { ROUTES } from '../support/routes'
import { Browser, jwtPayload, newLoginId, setCookiesOf } from './passkey-helpers'

const edge = edgeFor()
const REFRESH = 'POST /v1/auth/refresh'
const FOUR_HUNDRED_DAYS = 400 * 24 * 60 * 60
const now = () => Math.floor(Date.now() / 1000)

afterEach(async () => {
  await edge.emulator.clearFaults()
})

/** A signed-up browser, and another user's browser, with their session and refresh tokens. */
async function twoUsers() {
  const alice = new Browser(edge)
  await alice.signUp(newLoginId('alice'))
  const bob = new Browser(edge)
  await bob.signUp(newLoginId('bob'))
  const tokens = (browser: Browser) => ({ session: browser.jar.cookies.get(SESSION_COOKIE)!, refresh: browser.jar.cookies.get(REFRESH_COOKIE)! })
  return { alice, bob, a: tokens(alice), b: tokens(bob) }
}

/**
 * Token pairs a compromised or broken Descope (or anything in between) could answer with. Each
 * but the last two carries a session of Alice's, so only the check they name refuses it.
 */
async function craftedPairs() {
  const { a, b } = await twoUsers()
  const session = jwtPayload(a.session)
  const refresh = jwtPayload(a.refresh)
  const goodSession = await edge.emulator.sign({ ...session, iat: now(), exp: now() + 600 })
  const cases: Array<[string, Record<string, unknown>]> = [
    ['a session token as the rotated refresh token', { sessionJwt: goodSession, refreshJwt: await edge.emulator.sign({ ...session, n: 1 }) }],
    ['a rotated refresh token of another user', { sessionJwt: goodSession, refreshJwt: b.refresh }],
    ['a rotated refresh token signed by an unknown key', { sessionJwt: goodSession, refreshJwt: await edge.emulator.sign(refresh, { kid: 'SK2unknown' }) }],
    [
      'a rotated refresh token of another issuer',
      { sessionJwt: goodSession, refreshJwt: await edge.emulator.sign({ ...refresh, iss: 'https://evil.example/x' }) },
    ],
    ['a rotated refresh token that is not a JWT', { sessionJwt: goodSession, refreshJwt: 'not-a-jwt' }],
    ['a session of another user', { sessionJwt: b.session, refreshJwt: b.refresh }],
    ['a refresh token as the session', { sessionJwt: a.refresh }],
  ]
  return { a, b, cases }
}

/** How one path answered a refresh: status, error code, the session cookies it set, whom it served. */
interface RefreshOutcome {
  status: number
  code?: string
  cookies: unknown[]
  servedAs?: string
}

/** A check's outcome as the HTTP answer it stands for. */
function outcomeOf(outcome: { ok: boolean; status?: number; code?: string; setCookie?: string[]; session?: { userId: string } }): RefreshOutcome {
  return outcome.ok
    ? { status: 200, cookies: outcome.setCookie ?? [], servedAs: outcome.session?.userId }
    : { status: outcome.status!, code: outcome.code, cookies: [] }
}

function sessionCookies(response: Response) {
  return setCookiesOf(response).filter((cookie) => (cookie.name === SESSION_COOKIE || cookie.name === REFRESH_COOKIE) && cookie.value !== '')
}

async function outcomeOfResponse(response: Response): Promise<RefreshOutcome> {
  const body = (await response.json()) as { userId?: string; error?: { code: string } }
  return { status: response.status, code: body.error?.code, cookies: sessionCookies(response), servedAs: body.userId }
}

/**
 * Every path that refreshes a session with the refresh cookie (an expired session cookie beside
 * it): the Worker's refresh route, the implicit refresh of `requireSession`, the package's
 * `descopeSession()` and `createVerifier()`, and the RPC entrypoint.
 */
function refreshPaths(expiredSession: string): Array<[string, (refresh: string) => Promise<RefreshOutcome>]> {
  const cookies = (refresh: string) => ({ Cookie: `${SESSION_COOKIE}=${expiredSession}; ${REFRESH_COOKIE}=${refresh}` })
  const app = new Hono().get('/me', descopeSession({ projectId: edge.projectId, baseUrl: EMULATOR_URL }), (c) => c.json({ userId: c.var.session.userId }))
  const rpc = new SessionVerifier(createExecutionContext(), { ...env, DESCOPE_PROJECT_ID: edge.projectId } as never)
  const verifier = createVerifier({ projectId: edge.projectId, baseUrl: EMULATOR_URL })
  return [
    [
      'POST /auth/refresh',
      async (refresh) => {
        const response = await edge.fetch('/auth/refresh', { method: 'POST', headers: { Origin: ORIGIN, Cookie: `${REFRESH_COOKIE}=${refresh}` } })
        // The route answers no user: whom it serves is whom its session cookie names.
        const outcome = await outcomeOfResponse(response)
        const session = sessionCookies(response).find((cookie) => cookie.name === SESSION_COOKIE)
        return { ...outcome, servedAs: session && (jwtPayload(session.value).sub as string) }
      },
    ],
    ['requireSession (GET /api/hello)', async (refresh) => outcomeOfResponse(await edge.fetch('/api/hello', { headers: cookies(refresh) }))],
    ['descopeSession', async (refresh) => outcomeOfResponse(await app.request('/me', { headers: cookies(refresh) }))],
    ['createVerifier', async (refresh) => outcomeOf(await verifier.verifyRequest({ headers: cookies(refresh), method: 'GET' }, { refresh: true }))],
    ['SessionVerifier (RPC)', async (refresh) => outcomeOf(await rpc.verifyRequest({ headers: cookies(refresh), method: 'GET' }, { refresh: true }))],
  ]
}

/**
 * A refresh token of Alice's that no earlier call presented, valid at the edge and at the
 * emulator: a refresh's answer is shared for a few seconds per token (src/session/refresh.ts),
 * so a case that reused one would get an earlier case's answer and check nothing.
 */
let presented = 0
const unusedRefresh = (refresh: string) => edge.emulator.sign({ ...jwtPayload(refresh), n: ++presented })

describe('tokens issued by a refresh (T53)', () => {
  it("should refuse crafted token pairs from Descope's refresh (502, no cookie) on every refresh path", async () => {
    const { a, cases } = await craftedPairs()
    const paths = refreshPaths(await edge.emulator.sign({ ...jwtPayload(a.session), exp: now() - 60 }))
    for (const [name, body] of cases) {
      for (const [path, refresh] of paths) {
        await edge.emulator.fault({ route: REFRESH, status: 200, body, times: 1 })
        await edge.emulator.resetCalls()
        expect(await refresh(await unusedRefresh(a.refresh)), `${path}: ${name}`).toEqual({ status: 502, code: 'upstream_error', cookies: [] })
        // Descope was asked for this case: the answer is this case's, not an earlier one's shared.
        expect(await edge.emulator.count(REFRESH), `${path}: ${name}`).toBe(1)
      }
    }
  })

  it.each([
    ['tokens in the body, no rotation', {}],
    ['tokens in the body, rotation', { refresh_token_rotation: true }],
    ['tokens as cookies, rotation', { refresh_token_rotation: true, session_token_response_method: 'cookies', refresh_token_response_method: 'cookies' }],
  ] as const)("should refuse another user's valid tokens from Descope's refresh (502, no cookie, not served as that user), %s", async (_, settings) => {
    const { a, b } = await twoUsers()
    const [alice, bob] = [a, b].map((tokens) => jwtPayload(tokens.session).sub as string)
    const paths = refreshPaths(await edge.emulator.sign({ ...jwtPayload(a.session), exp: now() - 60 }))
    // The control: without the fault each path refreshes Alice and serves her.
    for (const [path, refresh] of paths) expect((await refresh(await unusedRefresh(a.refresh))).servedAs, path).toBe(alice)
    await edge.emulator.settings(settings)
    try {
      const outcomes: Record<string, RefreshOutcome & { descopeCalls: number }> = {}
      for (const [path, refresh] of paths) {
        await edge.emulator.fault({ route: REFRESH, tokensOf: bob, times: 1 })
        await edge.emulator.resetCalls()
        outcomes[path] = { ...(await refresh(await unusedRefresh(a.refresh))), descopeCalls: await edge.emulator.count(REFRESH) }
      }
      // Not served as Bob (no `servedAs`), no cookie of his, one call to Descope per path.
      const refused = { status: 502, code: 'upstream_error', cookies: [], descopeCalls: 1 }
      expect(outcomes).toEqual(Object.fromEntries(paths.map(([path]) => [path, refused])))
    } finally {
      await edge.emulator.settings({
        refresh_token_rotation: false,
        session_token_response_method: 'response_body',
        refresh_token_response_method: 'response_body',
      })
    }
  })

  it('should set a rotated refresh token that checks out', async () => {
    const { a } = await twoUsers()
    const rotated = await edge.emulator.sign({ ...jwtPayload(a.refresh), iat: now(), n: 'rotated' })
    const session = await edge.emulator.sign({ ...jwtPayload(a.session), iat: now(), exp: now() + 600 })
    await edge.emulator.fault({ route: REFRESH, status: 200, body: { sessionJwt: session, refreshJwt: rotated, cookieMaxAge: 3600 }, times: 1 })
    const response = await edge.fetch('/auth/refresh', { method: 'POST', headers: { Origin: ORIGIN, Cookie: `${REFRESH_COOKIE}=${a.refresh}` } })
    expect(response.status).toBe(200)
    expect(Object.fromEntries(sessionCookies(response).map((cookie) => [cookie.name, cookie.value]))).toEqual({
      [SESSION_COOKIE]: session,
      [REFRESH_COOKIE]: rotated,
    })
  })
})

describe('cookie lifetimes (T64)', () => {
  /** `[name, Max-Age]` of the session cookies a response sets. */
  const ages = (response: Response) => sessionCookies(response).map((cookie) => [cookie.name, Number(cookie.attributes['max-age'])] as const)
  /** True when `age` is `expected` seconds, give or take the seconds a test takes. */
  const near = (age: number, expected: number) => Math.abs(age - expected) <= 5

  it("should take them from the verified tokens' exp, never from Descope's body: 0, absent, huge or not a number", async () => {
    const { a } = await twoUsers()
    const refreshLeft = (jwtPayload(a.refresh).exp as number) - now()
    const session = await edge.emulator.sign({ ...jwtPayload(a.session), iat: now(), exp: now() + 600 })
    const bodies: Array<[string, Record<string, unknown>]> = [
      // Python's SDK defaults both to 0 when absent; `??` once made that Max-Age=0 (cookie deleted at once).
      ['zero lifetimes', { cookieMaxAge: 0, sessionExpiration: 0, cookieExpiration: 0 }],
      ['no lifetimes', {}],
      ['lifetimes far longer than the tokens', { cookieMaxAge: 10 ** 10, sessionExpiration: now() + 10 ** 10 }],
      ['lifetimes that are not numbers', { cookieMaxAge: '1e12', sessionExpiration: 'soon' }],
    ]
    for (const [name, lifetimes] of bodies) {
      await edge.emulator.fault({ route: REFRESH, status: 200, body: { sessionJwt: session, refreshJwt: a.refresh, ...lifetimes }, times: 1 })
      const refreshed = await edge.fetch('/auth/refresh', { method: 'POST', headers: { Origin: ORIGIN, Cookie: `${REFRESH_COOKIE}=${a.refresh}` } })
      expect(refreshed.status, name).toBe(200)
      const [[sessionName, sessionAge], [refreshName, refreshAge]] = ages(refreshed) as [[string, number], [string, number]]
      expect([sessionName, refreshName], name).toEqual([SESSION_COOKIE, REFRESH_COOKIE])
      expect(near(sessionAge, 600) && near(refreshAge, refreshLeft), `${name}: ${sessionAge}, ${refreshAge}`).toBe(true)
    }
  })

  it('should clamp Max-Age to 400 days when a token lives longer, at refresh and at finish (no 500) (T53)', async () => {
    const { a } = await twoUsers()
    const forever = now() + 10 ** 9
    const session = await edge.emulator.sign({ ...jwtPayload(a.session), iat: now(), exp: forever })
    const refresh = await edge.emulator.sign({ ...jwtPayload(a.refresh), iat: now(), exp: forever })
    await edge.emulator.fault({ route: REFRESH, status: 200, body: { sessionJwt: session, refreshJwt: refresh }, times: 1 })
    const refreshed = await edge.fetch('/auth/refresh', { method: 'POST', headers: { Origin: ORIGIN, Cookie: `${REFRESH_COOKIE}=${a.refresh}` } })
    expect(refreshed.status).toBe(200)
    expect(ages(refreshed)).toEqual([
      [SESSION_COOKIE, FOUR_HUNDRED_DAYS],
      [REFRESH_COOKIE, FOUR_HUNDRED_DAYS],
    ])

    const browser = new Browser(edge)
    const prepared = await browser.prepare('signup', { loginId: newLoginId() })
    await edge.emulator.fault({
      route: 'POST /v1/auth/webauthn/signup/finish',
      status: 200,
      body: { sessionJwt: session, refreshJwt: refresh, cookieMaxAge: '1e12', firstSeen: true },
      times: 1,
    })
    const finished = await browser.post('/auth/passkey/signup/finish', prepared)
    // The crafted session is Alice's: a sign-up finish does not know the user beforehand.
    expect(finished.status).toBe(200)
    expect(ages(finished)).toEqual([
      [SESSION_COOKIE, FOUR_HUNDRED_DAYS],
      [REFRESH_COOKIE, FOUR_HUNDRED_DAYS],
    ])
  })
})

describe('a refresh cookie that does not verify never reaches Descope (T53)', () => {
  /** Descope routes that receive the refresh token. */
  const CARRIERS = [
    'POST /v1/auth/refresh',
    'POST /v1/auth/logout',
    'POST /v1/auth/logoutall',
    'GET /v1/auth/me',
    'POST /v1/auth/webauthn/update/start',
    'POST /v1/auth/webauthn/signin/start',
  ]
  const carried = async () => {
    const calls = await edge.emulator.calls()
    return CARRIERS.reduce((sum, route) => sum + (calls[route] ?? 0), 0)
  }
  /** Every route, with a valid session and the given refresh cookie (and with an expired session, unless `validOnly`). */
  async function everyRoute(session: string, refresh: string, validOnly = false) {
    const expired = await edge.emulator.sign({ ...jwtPayload(session), exp: now() - 60 })
    const statuses: string[] = []
    for (const [method, path] of ROUTES) {
      for (const ds of validOnly ? [session] : [session, expired]) {
        const body = method === 'GET' ? undefined : JSON.stringify(path === '/auth/passkey/signin/start' ? { stepup: true } : {})
        const headers = { Origin: ORIGIN, 'Content-Type': 'application/json', Cookie: `${SESSION_COOKIE}=${ds}; ${REFRESH_COOKIE}=${refresh}` }
        const response = await edge.fetch(path, { method, headers, body })
        statuses.push(`${method} ${path} ${response.status}`)
      }
    }
    return statuses
  }

  it('should send a real refresh cookie (the control), and none of the forged ones, on any route', async () => {
    const { a, b } = await twoUsers()
    const refresh = jwtPayload(a.refresh)
    await edge.emulator.resetCalls()
    // The control: with the real refresh cookie, several routes do call Descope with it.
    await everyRoute(a.session, a.refresh)
    expect(await carried()).toBeGreaterThan(3)

    const forged: Array<[string, string]> = [
      ['garbage', 'not-a-jwt'],
      ['a session token', a.session],
      ['signed by an unknown key', await edge.emulator.sign(refresh, { kid: 'SK2unknown' })],
      ['another issuer', await edge.emulator.sign({ ...refresh, iss: 'https://evil.example/x' })],
      ['expired', await edge.emulator.sign({ ...refresh, exp: now() - 60 })],
    ]
    for (const [name, token] of forged) {
      await edge.emulator.resetCalls()
      const statuses = await everyRoute(a.session, token)
      expect(await carried(), `${name}: ${statuses.join(', ')}`).toBe(0)
    }
    // Another user's (valid) refresh cookie next to a valid session: never used for this
    // session. (With an expired session it simply signs the browser in as that other user.)
    await edge.emulator.resetCalls()
    const mixed = await everyRoute(a.session, b.refresh, true)
    const calls = await edge.emulator.calls()
    expect(calls['GET /v1/auth/me'] ?? 0, mixed.join(', ')).toBe(0)
    expect(calls['POST /v1/auth/webauthn/update/start'] ?? 0).toBe(0)
    expect(calls['POST /v1/auth/webauthn/signin/start'] ?? 0).toBe(0)
  })

  it('should send nothing when it cannot check the token (no signing keys): logout answers 503, cookies cleared', async () => {
    const cold = edgeFor()
    const browser = new Browser(cold)
    await browser.signUp(newLoginId())
    const store = getKeyStore(`${EMULATOR_URL}|${cold.projectId}`, () => {
      throw new Error('the Worker has created this store already')
    })
    await caches.default.delete(`https://jwks.passkey-edge.invalid/v1/${cold.projectId}?base=${encodeURIComponent(EMULATOR_URL)}`)
    store.reset()
    await cold.emulator.fault({ route: 'GET /v2/keys', status: 500 })
    await cold.emulator.resetCalls()
    const response = await browser.post('/auth/logout', {})
    expect(response.status).toBe(503)
    expect(
      setCookiesOf(response)
        .filter((cookie) => cookie.name === SESSION_COOKIE || cookie.name === REFRESH_COOKIE)
        .map((cookie) => cookie.attributes['max-age'])
    ).toEqual(['0', '0'])
    expect(await cold.emulator.count('POST /v1/auth/logout')).toBe(0)
    await cold.emulator.clearFaults()
  })
})
