/// <reference types="vite/client" />
/**
 * The corpus of Descope answer shapes (test/contract/answers/, README.md beside it), each played
 * by the emulator in front of the real client and the real Worker: through the client's answer
 * reader (which tokens it finds, or which error), and through the session check (a refresh, a
 * sign-out, a key fetch or a token the Worker verifies). Then the other way round: every answer
 * the emulator gives by default is one of these shapes, so the emulator models what Descope's
 * SDKs have seen.
 */
import { createExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createDescopeClient } from '../../src/descope/client'
import type { DescopeError } from '../../src/descope/errors'
import type { VerifiedRefreshToken } from '../../src/descope/types'
import { SessionVerifier } from '../../src/package/entrypoint'
import { EMULATOR_URL, edgeFor, ORIGIN, REFRESH_COOKIE, SESSION_COOKIE } from '../support/edge'
import { Browser, jwtPayload, newLoginId, setCookiesOf } from './passkey-helpers'

interface AnswerShape {
  source: string
  kind: 'answer'
  route: string
  status: number
  headers?: Record<string, string | string[]>
  body: Record<string, unknown>
  read: { sessionJwt?: boolean; refreshJwt?: boolean; error?: string; retryAfterSeconds?: number }
}

interface ClaimsShape {
  source: string
  kind: 'claims'
  claims: Record<string, unknown>
  remove?: string[]
  session: Record<string, unknown>
}

type Shape = AnswerShape | ClaimsShape

const files = import.meta.glob<Shape>('../contract/answers/*.json', { eager: true, import: 'default' })
const corpus = Object.entries(files).map(([path, shape]) => [path.split('/').at(-1)!, shape] as const)
const answers = corpus.filter((entry): entry is readonly [string, AnswerShape] => entry[1].kind === 'answer')
const claimShapes = corpus.filter((entry): entry is readonly [string, ClaimsShape] => entry[1].kind === 'claims')

const edge = edgeFor()
const client = createDescopeClient({ baseUrl: EMULATOR_URL, projectId: edge.projectId, timeoutMs: 2000 })
/** The other Worker's check (docs/session.md), with this project's configuration. */
const rpc = new SessionVerifier(createExecutionContext(), { ...env, DESCOPE_PROJECT_ID: edge.projectId } as never)
const now = () => Math.floor(Date.now() / 1000)
/** Placeholders of the corpus files, filled with a real user's tokens of this project. */
const values = { userId: '', projectId: '', sessionJwt: '', refreshJwt: '', rotatedRefreshJwt: '' }

/** The shape with its placeholders filled. */
function filled<T>(shape: T): T {
  return JSON.parse(JSON.stringify(shape).replace(/\{\{(\w+)\}\}/g, (_, name: string) => (values as Record<string, string>)[name] ?? `{{${name}}}`)) as T
}

/** Has the emulator answer `shape` once on its route. */
async function play(shape: AnswerShape) {
  const { route, status, headers, body } = filled(shape)
  await edge.emulator.fault({ route, status, body, times: 1, ...(headers ? { headers } : {}) })
}

/** The client call for a route, with the user's refresh token where one is needed. */
function read(route: string) {
  const refresh = values.refreshJwt as VerifiedRefreshToken
  if (route === 'POST /v1/auth/refresh') return client.refresh(refresh)
  if (route === 'POST /v1/auth/logout') return client.logout(refresh)
  if (route === 'POST /v1/auth/logoutall') return client.logoutAll(refresh)
  if (route === 'GET /v2/keys') return client.keys()
  if (route.endsWith('/finish')) return client.signInFinish({ transactionId: 'tx', response: '{}' })
  throw new Error(`no client call for ${route}`)
}

beforeAll(async () => {
  const alice = new Browser(edge)
  const finish = await alice.signUp(newLoginId('corpus'))
  values.userId = finish.body.user.userId
  values.projectId = edge.projectId
  values.sessionJwt = alice.jar.cookies.get(SESSION_COOKIE)!
  values.refreshJwt = alice.jar.cookies.get(REFRESH_COOKIE)!
  values.rotatedRefreshJwt = await edge.emulator.sign({ ...jwtPayload(values.refreshJwt), iat: now(), jti: 'rotated' })
})

afterEach(async () => {
  await edge.emulator.clearFaults()
})

describe('Descope answer shapes through the client and the Worker', () => {
  it('should hold a source for every shape', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(15)
    for (const [name, shape] of corpus) expect(shape.source.length, name).toBeGreaterThan(20)
  })

  it.each(answers)('%s: the client reads what Descope’s SDKs read', async (_, shape) => {
    await play(shape)
    const result = await read(shape.route).then(
      (value) => ({ value }),
      (error: unknown) => ({ error })
    )
    if (shape.read.error) {
      expect(result).toHaveProperty('error')
      const error = (result as { error: DescopeError }).error
      expect([error.kind, error.details.retryAfterSeconds]).toEqual([shape.read.error, shape.read.retryAfterSeconds])
      return
    }
    expect(result).toHaveProperty('value')
    if (!shape.route.endsWith('/refresh') && !shape.route.endsWith('/finish')) return
    const tokens = (result as { value: Record<string, unknown> }).value
    expect(tokens.sessionJwt).toBe(shape.read.sessionJwt ? values.sessionJwt : undefined)
    const refresh = shape.read.refreshJwt ? (JSON.stringify(shape).includes('rotatedRefreshJwt') ? values.rotatedRefreshJwt : values.refreshJwt) : undefined
    expect(tokens.refreshJwt).toBe(refresh)
  })

  it.each(answers)('%s: the Worker answers it without a 500, cookies as the tokens say', async (name, shape) => {
    // A refresh token of its own (the isolate shares one refresh answer per token for a few seconds).
    const refreshJwt = await edge.emulator.sign({ ...jwtPayload(values.refreshJwt), iat: now(), shape: name })
    const cookie = `${SESSION_COOKIE}=${values.sessionJwt}; ${REFRESH_COOKIE}=${refreshJwt}`
    // A finish's JWT response is the same shape as a refresh's: played as the refresh answer.
    const route = shape.route.endsWith('/finish') ? 'POST /v1/auth/refresh' : shape.route
    if (route === 'GET /v2/keys') {
      // A cold project: no keys at all, so the check fails closed with 503, never a pass.
      const cold = edgeFor()
      const { status, headers, body } = filled(shape)
      await cold.emulator.fault({ route, status, body, times: 1, ...(headers ? { headers } : {}) })
      const token = await cold.emulator.sign({ ...jwtPayload(values.sessionJwt), iss: cold.projectId })
      const response = await cold.fetch('/api/hello', { headers: { Authorization: `Bearer ${token}` } })
      expect(response.status).toBe(503)
      return
    }
    await play({ ...shape, route })
    const path = { 'POST /v1/auth/refresh': '/auth/refresh', 'POST /v1/auth/logout': '/auth/logout', 'POST /v1/auth/logoutall': '/auth/logout-all' }[route]!
    const response = await edge.fetch(path, { method: 'POST', headers: { Origin: ORIGIN, Cookie: cookie, 'Content-Type': 'application/json' }, body: '{}' })
    const cookies = Object.fromEntries(setCookiesOf(response).map((c) => [c.name, c]))
    if (shape.read.error === 'rate_limited') {
      expect([response.status, response.headers.get('Retry-After')]).toEqual([429, String(shape.read.retryAfterSeconds)])
      return
    }
    expect(response.status, await response.clone().text()).toBe(200)
    if (route !== 'POST /v1/auth/refresh') {
      // A sign-out clears both cookies whatever the answer carried.
      expect([cookies[SESSION_COOKIE]?.attributes['max-age'], cookies[REFRESH_COOKIE]?.attributes['max-age']]).toEqual(['0', '0'])
      return
    }
    expect(cookies[SESSION_COOKIE]?.value).toBe(values.sessionJwt)
    expect(Number(cookies[SESSION_COOKIE]?.attributes['max-age'])).toBeGreaterThan(0)
    expect(REFRESH_COOKIE in cookies).toBe(shape.read.refreshJwt === true)
    if (shape.read.refreshJwt) expect(Number(cookies[REFRESH_COOKIE]?.attributes['max-age'])).toBeGreaterThan(0)
  })

  it.each(claimShapes)('%s: the session check reads the claims as Descope’s SDKs do', async (_, shape) => {
    const { claims, remove = [], session } = filled(shape)
    const payload: Record<string, unknown> = { ...jwtPayload(values.sessionJwt), iat: now(), exp: now() + 600, ...claims }
    for (const name of remove) delete payload[name]
    const token = await edge.emulator.sign(payload)
    expect((await edge.fetch('/api/hello', { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200)
    // The whole session, as the package and the RPC check hand it out.
    expect(await rpc.verify(token)).toMatchObject({ ok: true, session })
  })
})

/**
 * What an answer looks like, as far as the reader cares: each token field as `jwt`, `empty`
 * (`""`), `null` or `absent`, and the names of the cookies it sets with a value.
 */
function signature(body: Record<string, unknown>, setCookies: readonly string[]) {
  const kind = (value: unknown) => (value === undefined ? 'absent' : value === null ? 'null' : value === '' ? 'empty' : 'jwt')
  const cookies = setCookies
    .map((line) => /^([^=;]+)=([^;]*)/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null && match[2] !== '')
    .map((match) => match[1])
    .sort()
  return { sessionJwt: kind(body.sessionJwt), refreshJwt: kind(body.refreshJwt), cookies }
}

/** The corpus shapes of a kind of answer: a JWT response (finish, refresh) or a sign-out. */
function corpusSignatures(family: 'jwt' | 'logout') {
  return answers
    .filter(([, shape]) => shape.status === 200 && (family === 'logout') === /logout/.test(shape.route))
    .map(([, shape]) => signature(shape.body, [shape.headers?.['Set-Cookie'] ?? []].flat()))
}

describe('the emulator answers in the corpus shapes by default', () => {
  const MODES: Array<[string, Record<string, unknown>]> = [
    ['tokens in the body', {}],
    ['both tokens as cookies', { session_token_response_method: 'cookies', refresh_token_response_method: 'cookies' }],
    ['refresh-token rotation', { refresh_token_rotation: true }],
  ]

  it.each(MODES)('%s: finish, refresh and logout', async (_, settings) => {
    const project = edgeFor()
    await project.emulator.settings(settings)
    const browser = new Browser(project)
    // Straight at the emulator, as a non-JS SDK would see the answers.
    const call = async (path: string, refreshJwt?: string, body: unknown = {}) => {
      const response = await fetch(`${EMULATOR_URL}${path}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${project.projectId}${refreshJwt ? `:${refreshJwt}` : ''}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      })
      return { body: (await response.json()) as Record<string, unknown>, cookies: response.headers.getSetCookie() }
    }
    const loginId = newLoginId('shape')
    const start = await call('/v1/auth/webauthn/signup/start', undefined, { loginId, origin: ORIGIN })
    const credential = await browser.authenticator.create(JSON.parse(start.body.options as string), ORIGIN)
    const finish = await call('/v1/auth/webauthn/signup/finish', undefined, { transactionId: start.body.transactionId, response: JSON.stringify(credential) })
    const refreshJwt = (finish.body.refreshJwt as string) || /DSR=([^;]+)/.exec(finish.cookies.join('\n'))![1]!
    const refreshed = await call('/v1/auth/refresh', refreshJwt)
    const logout = await call('/v1/auth/logout', (refreshed.body.refreshJwt as string) || refreshJwt)
    const jwtShapes = corpusSignatures('jwt')
    for (const [name, answer] of [
      ['finish', finish],
      ['refresh', refreshed],
    ] as const) {
      expect(jwtShapes, `${name}: ${JSON.stringify(signature(answer.body, answer.cookies))}`).toContainEqual(signature(answer.body, answer.cookies))
    }
    expect(corpusSignatures('logout')).toContainEqual(signature(logout.body, logout.cookies))
  })
})
