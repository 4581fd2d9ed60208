/**
 * Property-based fuzzing with fast-check (docs/threat-model.md, L5): generated bodies, headers, cookies,
 * methods and tokens against every route of the browser API. The property, for every answer:
 * no 5xx unless an upstream fault was injected (and then only 502/503/504), a JSON body, every
 * error in the documented shape `{error: {code, message}}` with a known code, and
 * `Cache-Control: no-store`. Runs are spread over five properties (5,300 requests in all).
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ErrorCode } from '../../src/errors'
import { edgeFor, ORIGIN, SESSION_COOKIE, REFRESH_COOKIE } from '../support/edge'
import { Browser, newLoginId } from './passkey-helpers'
import { PASSKEY_FLOWS, RECOVERY_ROUTES, ROUTES } from '../support/routes'

// Recovery on, so its routes are fuzzed too (off, they are plain 404s).
const edge = edgeFor(undefined, { RECOVERY: 'email-link' })
const EVERY_ROUTE = [...ROUTES, ...RECOVERY_ROUTES]
let requests = 0
/** `status code` → count, printed as a figure after the run. */
const outcomes: Record<string, number> = {}

/** Every code of src/errors.ts a client may see (500s excluded: bad input never causes one). */
const KNOWN_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'invalid_request',
  'invalid_transaction',
  'invalid_login_id',
  'invalid_recovery_link',
  'authentication_failed',
  'unauthorized',
  'insufficient_user_authentication',
  'forbidden',
  'origin_not_allowed',
  'not_found',
  'method_not_allowed',
  'payload_too_large',
  'unsupported_media_type',
  'rate_limited',
  'upstream_error',
  'unavailable',
  'upstream_timeout',
])
const UPSTREAM_STATUSES = new Set([502, 503, 504])

const START_ROUTES = PASSKEY_FLOWS.map((flow) => `/auth/passkey/${flow}/start`)
const FINISH_ROUTES = PASSKEY_FLOWS.map((flow) => `/auth/passkey/${flow}/finish`)

/** Sends one generated request and checks the property; `faulted` allows upstream 5xx. */
async function check(method: string, path: string, headers: Record<string, string>, body: BodyInit | undefined, faulted = false) {
  requests++
  const response = await edge.fetch(path, { method, headers, body: method === 'GET' || method === 'HEAD' ? undefined : body })
  const text = await response.text()
  const where = `${method} ${path} → ${response.status} ${text.slice(0, 200)}`
  const outcome = `${response.status} ${/"code":"([a-z_]+)"/.exec(text)?.[1] ?? 'ok'}`
  outcomes[outcome] = (outcomes[outcome] ?? 0) + 1
  if (response.status >= 500) expect(faulted && UPSTREAM_STATUSES.has(response.status), where).toBe(true)
  expect(response.headers.get('Cache-Control'), where).toBe('no-store')
  if (method === 'HEAD') return
  const json = JSON.parse(text) as unknown
  if (response.status >= 400) {
    expect(Object.keys(json as object), where).toEqual(['error'])
    const error = (json as { error: Record<string, unknown> }).error
    expect(Object.keys(error).sort(), where).toEqual(['code', 'message', 'requestId'])
    // A fuzzed cf-ray header is never echoed: a Ray ID's shape, or a generated UUID.
    expect(error.requestId, where).toMatch(/^(?:[0-9a-f]{16}(?:-[A-Za-z]{3,4})?|[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})$/)
    expect(KNOWN_CODES.has(error.code as ErrorCode), where).toBe(true)
    expect(typeof error.message, where).toBe('string')
    expect(error.message as string, where).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.|stack|at .*\.ts/)
  }
}

// ---- arbitraries ---------------------------------------------------------------------------

/** Printable ASCII: what a Headers object accepts from anyone. */
const headerText = (maxLength = 60) => fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)), maxLength })
const base64url = (maxLength = 60) => fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'), maxLength })

const loginId = fc.oneof(
  fc.emailAddress(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.constantFrom(
    '',
    ' ',
    'a@b',
    'ALICE@EXAMPLE.COM',
    'ａｌｉｃｅ@example.com',
    'ali\u200Bce@example.com',
    'ali\u202Ece@x',
    'a\u0000b',
    'é\u0301@x',
    '__proto__'
  ),
  fc.jsonValue({ maxDepth: 1 })
)

/** A JSON text of a generated value, sometimes spliced or truncated. */
const jsonText = (value: fc.Arbitrary<unknown>) =>
  fc.tuple(value, fc.nat(), fc.constantFrom('keep', 'keep', 'keep', 'truncate', 'bom', 'duplicate')).map(([inner, cut, how]) => {
    const text = JSON.stringify(inner) ?? 'null'
    if (how === 'truncate') return text.slice(0, cut % (text.length + 1))
    if (how === 'bom') return `\uFEFF${text}`
    if (how === 'duplicate' && text.startsWith('{') && text.length > 2) return `{"loginId":"dup@example.com",${text.slice(1)}`
    return text
  })

/** A body the start routes would take (for runs that must reach Descope). */
const validStart = fc.emailAddress().map((address) => JSON.stringify({ loginId: address }))

const startBody = fc.oneof(
  { arbitrary: jsonText(fc.record({ loginId })), weight: 3 },
  validStart,
  jsonText(
    fc.record(
      {
        loginId,
        name: fc.jsonValue({ maxDepth: 1 }),
        email: fc.oneof(fc.emailAddress(), fc.string()),
        phone: fc.string({ maxLength: 25 }),
        stepup: fc.jsonValue({ maxDepth: 0 }),
        mfa: fc.boolean(),
      },
      { requiredKeys: ['loginId'] }
    )
  ),
  jsonText(
    fc.dictionary(
      fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('loginId', 'origin', 'customClaims', 'loginOptions', '__proto__', 'constructor')),
      fc.jsonValue({ maxDepth: 2 }),
      { maxKeys: 4 }
    )
  ),
  jsonText(fc.jsonValue({ maxDepth: 3 })),
  fc.string({ unit: 'binary', maxLength: 200 })
)

const credential = fc.oneof(
  fc.record(
    {
      id: fc.oneof(base64url(), fc.string()),
      rawId: base64url(),
      type: fc.constantFrom('public-key', 'password', ''),
      response: fc.oneof(
        fc.record(
          {
            clientDataJSON: base64url(200),
            authenticatorData: base64url(),
            signature: base64url(),
            attestationObject: base64url(200),
            userHandle: fc.option(base64url()),
          },
          { requiredKeys: [] }
        ),
        fc.jsonValue({ maxDepth: 2 })
      ),
      clientExtensionResults: fc.jsonValue({ maxDepth: 1 }),
    },
    { requiredKeys: [] }
  ),
  fc.jsonValue({ maxDepth: 3 }),
  fc.string()
)

/** Transaction IDs: real ones from starts (with or without their cookie), look-alikes, junk. */
const realTransactions: Array<{ transactionId: string; cookie: string }> = []
const transaction = fc.oneof(
  fc.nat().map((index) => realTransactions[index % realTransactions.length]!),
  fc
    .oneof(base64url(43), fc.string({ maxLength: 700 }), fc.constantFrom('', '.', '..', 'tx:abc', 'secret:edge'))
    .map((transactionId) => ({ transactionId, cookie: '' }))
)

const finishBody = fc.tuple(transaction, credential, fc.boolean(), fc.boolean()).map(([tx, response, withCookie, asString]) => ({
  cookie: withCookie ? tx.cookie : '',
  body: JSON.stringify({ transactionId: tx.transactionId, response: asString ? JSON.stringify(response) : response }),
}))

/** Session tokens: emulator-signed with odd claims and headers, mutated, or junk. */
let signedTokens: string[] = []
const token = fc.oneof(
  fc.nat().map((index) => signedTokens[index % signedTokens.length]!),
  fc.tuple(fc.nat(), fc.nat(), base64url(8)).map(([index, at, junk]) => {
    const good = signedTokens[index % signedTokens.length]!
    const cut = at % good.length
    return good.slice(0, cut) + junk + good.slice(cut + junk.length)
  }),
  fc.tuple(fc.jsonValue({ maxDepth: 2 }), fc.jsonValue({ maxDepth: 2 }), base64url(80)).map(([header, payload, signature]) =>
    [
      ...[header, payload].map((part) =>
        btoa(JSON.stringify(part) ?? 'null')
          .replace(/=+$/, '')
          .replace(/\+/g, '-')
          .replace(/\//g, '_')
      ),
      signature,
    ].join('.')
  ),
  fc.array(base64url(40), { maxLength: 7 }).map((parts) => parts.join('.')),
  headerText(200)
)

const cookieHeader = fc
  .array(
    fc.tuple(
      fc.constantFrom(SESSION_COOKIE, REFRESH_COOKIE, 'DS', 'DSR', '__Host-ptx-0123456789abcdef', 'DS ', '__host-ds', 'x', 'ds'),
      fc.oneof(
        token,
        headerText(30).map((text) => text.replace(/[;,]/g, ''))
      )
    ),
    { maxLength: 4 }
  )
  .map((pairs) => pairs.map(([name, value]) => `${name}=${value}`).join('; '))

const headers = fc.record(
  {
    'Content-Type': fc.oneof(
      fc.constantFrom(
        'application/json',
        'Application/JSON; charset=UTF-8',
        'application/json; charset=latin1',
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/jsonx',
        ''
      ),
      headerText(40)
    ),
    Origin: fc.oneof(
      fc.constantFrom(
        ORIGIN,
        ORIGIN,
        'https://admin.example.com',
        'https://evil.example',
        'null',
        `${ORIGIN}, ${ORIGIN}`,
        'https://app.example.com.evil.com',
        'http://app.example.com'
      ),
      fc.webUrl(),
      headerText(40)
    ),
    Cookie: cookieHeader,
    Authorization: fc.oneof(
      token.map((value) => `Bearer ${value}`),
      token.map((value) => `Basic ${value}`),
      headerText(80)
    ),
    'Content-Length': fc.oneof(fc.nat({ max: 100_000 }).map(String), headerText(8)),
    'CF-Connecting-IP': fc.oneof(fc.ipV4(), fc.ipV6(), headerText(40)),
    'X-Forwarded-For': fc.ipV4(),
    'CF-Ray': fc.oneof(fc.constantFrom('8f1c2a3b4d5e6f70-CDG', '8f1c2a3b4d5e6f70', '8F1C2A3B4D5E6F70-CDG'), token, headerText(40)),
    'Sec-Fetch-Site': fc.constantFrom('same-origin', 'cross-site', 'none'),
    'Transfer-Encoding': fc.constantFrom('chunked', 'gzip'),
  },
  { requiredKeys: [] }
)

// ---- properties ------------------------------------------------------------------------------

beforeAll(async () => {
  // A known user, real pending transactions (with their binding cookies) and odd signed tokens.
  const owner = new Browser(edge)
  const loginIdOfOwner = newLoginId('fuzz')
  await owner.signUp(loginIdOfOwner)
  for (let index = 0; index < 8; index++) {
    const browser = new Browser(edge, owner.authenticator)
    const start = await browser.call(`/auth/passkey/${index % 2 ? 'signin' : 'signup'}/start`, { loginId: index % 2 ? loginIdOfOwner : newLoginId('fuzz') })
    realTransactions.push({ transactionId: start.body.transactionId, cookie: browser.jar.header() })
  }
  const now = Math.floor(Date.now() / 1000)
  const claims = [
    { sub: 'U1', iss: edge.projectId, exp: now + 600, drn: 'DS' },
    { sub: 'U1', iss: edge.projectId, exp: now + 600, drn: 'DSR' },
    { sub: 'U1', iss: edge.projectId, exp: now - 600, drn: 'DS' },
    { sub: 'U1', iss: `https://evil.example/${edge.projectId}`, exp: now + 600, drn: 'DS' },
    { sub: 'U1', iss: edge.projectId, exp: 'never', drn: 'DS' },
    { sub: 'U1', iss: edge.projectId, exp: now + 600, nbf: now + 600, drn: 'DS', su: true },
    { iss: edge.projectId, exp: now + 600, drn: 'DS', roles: ['admin'] },
  ]
  const headers = [{}, { alg: 'RS512' }, { kid: 'forged' }, { typ: 'JWE' }, { crit: ['x'], x: 1 }, { jku: 'http://127.0.0.1:1/jwks' }]
  signedTokens = await Promise.all(claims.flatMap((payload) => headers.slice(0, 3).map((header) => edge.emulator.sign(payload, header))))
  signedTokens.push(...(await Promise.all(headers.slice(3).map((header) => edge.emulator.sign(claims[0]!, header)))))
})

afterAll(async () => {
  await edge.emulator.clearFaults()
  console.info(JSON.stringify({ figure: 'fuzz_requests', requests, outcomes }))
})

describe('fuzzing every route (no 5xx, documented error shape, no-store) (T46)', () => {
  it('should survive 1,500 generated start bodies', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...START_ROUTES), startBody, headers, fc.nat(9), async (path, body, extra, dice) => {
        // Mostly a well-formed request around the generated body; sometimes odd headers too.
        const odd = dice === 0 ? pick(extra, ['Content-Type', 'Cookie', 'CF-Connecting-IP']) : pick(extra, ['Cookie', 'CF-Connecting-IP'])
        await check('POST', path, { 'Content-Type': 'application/json', Origin: ORIGIN, ...odd }, body)
      }),
      { numRuns: 1500 }
    )
  }, 60_000)

  it('should survive 1,200 generated finish bodies, some with real transactions and their cookies', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...FINISH_ROUTES), finishBody, async (path, { cookie, body }) => {
        await check('POST', path, { 'Content-Type': 'application/json', Origin: ORIGIN, ...(cookie && { Cookie: cookie }) }, body)
      }),
      { numRuns: 1200 }
    )
  }, 60_000)

  it('should survive 1,300 generated header sets and methods on every route', async () => {
    const methods = fc.constantFrom('GET', 'POST', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH')
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...EVERY_ROUTE), methods, headers, startBody, async ([, path], method, extra, body) => {
        const { 'Transfer-Encoding': _, 'Content-Length': __, ...sent } = extra
        await check(method, path, sent, body)
      }),
      { numRuns: 1300 }
    )
  }, 60_000)

  it('should survive 1,000 generated tokens in the header and the cookie of the protected routes', async () => {
    const protectedRoutes = ROUTES.filter(([method]) => method === 'GET')
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...protectedRoutes), token, fc.constantFrom('bearer', 'cookie', 'both'), async ([, path], value, where) => {
        const sent: Record<string, string> = {}
        if (where !== 'cookie') sent.Authorization = `Bearer ${value}`
        if (where !== 'bearer') sent.Cookie = `${SESSION_COOKIE}=${value.replace(/[;,\s]/g, '')}; ${REFRESH_COOKIE}=${value.replace(/[;,\s]/g, '')}`
        await check('GET', path, sent, undefined)
      }),
      { numRuns: 1000 }
    )
  }, 60_000)

  it('should answer only 502/503/504 for 300 requests under injected upstream faults', async () => {
    const fault = fc.constantFrom<Record<string, unknown>>(
      { status: 500, body: { errorCode: 'E0', errorDescription: 'x' } },
      { status: 503 },
      { status: 429, headers: { 'Retry-After': '7' } },
      { status: 200, body: '<html>garbage' },
      { status: 200, body: { transactionId: 1, options: 2 } },
      { status: 302, headers: { Location: 'https://evil.example/' } },
      { reset: true }
    )
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...EVERY_ROUTE), fault, validStart, finishBody, async ([method, path], injected, start, finish) => {
        await edge.emulator.clearFaults()
        await edge.emulator.fault({ route: '*', ...injected })
        const body = path.endsWith('/finish') ? finish.body : start
        await check(method, path, { 'Content-Type': 'application/json', Origin: ORIGIN, ...(finish.cookie && { Cookie: finish.cookie }) }, body, true)
      }),
      { numRuns: 300 }
    )
  }, 60_000)
})

function pick(source: Record<string, string | undefined>, names: string[]): Record<string, string> {
  return Object.fromEntries(names.filter((name) => source[name] !== undefined).map((name) => [name, source[name]!]))
}
