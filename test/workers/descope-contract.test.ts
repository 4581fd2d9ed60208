/**
 * Descope's published API as the contract (test/contract/README.md): every flow the Worker runs —
 * sign-up, sign-in by login ID and without one, sign-up-or-in both ways, add-device, step-up,
 * refresh, me, logout, logout-all, the key set — with the traffic between the Worker and Descope
 * (the emulator) recorded on the way, unchanged. Then each request the Worker sent and each
 * 200 answer the emulator gave must validate against the operation's schemas in Descope's
 * OpenAPI description, carry the bearer Descope requires, and be an operation Descope has.
 * Once with tokens in the body, once with both as cookies and rotation (bodies without tokens).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { ProjectSettings } from '../../emulator/src/settings'
import { errorsOf, operationOf, operations } from '../contract/openapi'
import { EMULATOR_URL, edgeFor, newProjectId } from '../support/edge'
import { SoftwareAuthenticator } from '../support/authenticator'
import { Browser, newLoginId } from './passkey-helpers'

interface Exchange {
  method: string
  path: string
  authorization: string
  requestText: string | undefined
  status: number
  responseText: string
}

const emulatorHost = new URL(EMULATOR_URL).host

/** Records the Worker's calls to Descope (not the tests' control calls) and passes them on. */
function recordDescopeTraffic(into: Exchange[]) {
  const realFetch = globalThis.fetch
  return vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const request = new Request(input, init)
    const url = new URL(request.url)
    if (url.host !== emulatorHost || url.pathname.startsWith('/emulator/')) return realFetch(request)
    const requestText = request.body ? await request.clone().text() : undefined
    const response = await realFetch(request)
    into.push({
      method: request.method,
      path: url.pathname,
      authorization: request.headers.get('Authorization') ?? '',
      requestText,
      status: response.status,
      responseText: await response.clone().text(),
    })
    return response
  })
}

const SETTINGS: Array<[string, Partial<ProjectSettings>]> = [
  ['tokens in the body', {}],
  ['tokens as cookies, with rotation', { session_token_response_method: 'cookies', refresh_token_response_method: 'cookies', refresh_token_rotation: true }],
]

describe.each(SETTINGS)("the Worker and the emulator keep to Descope's published API: %s", (_, settings) => {
  const edge = edgeFor(newProjectId())
  const traffic: Exchange[] = []
  let spy: ReturnType<typeof recordDescopeTraffic>

  beforeAll(async () => {
    await edge.emulator.settings(settings)
    spy = recordDescopeTraffic(traffic)
    await runEveryFlow(edge)
  })

  afterAll(() => spy.mockRestore())

  it('should have called each operation the Worker uses, and only operations Descope has', () => {
    const called = new Set(traffic.map((exchange) => operationOf(exchange.method, exchange.path)?.name ?? `unknown: ${exchange.method} ${exchange.path}`))
    expect([...called].sort()).toEqual(
      operations
        .map((operation) => operation.name)
        .filter((name) => !['GET /v1/auth/me/history', 'POST /v1/auth/tenant/select', 'POST /v1/auth/validate'].includes(name))
        .sort()
    )
  })

  it("should send request bodies that validate against the operation's schema (and none on GET)", () => {
    const failures = traffic.flatMap((exchange) => {
      const operation = operationOf(exchange.method, exchange.path)!
      if (!operation.request) return exchange.requestText ? [`${operation.name}: a body where Descope takes none`] : []
      const body = exchange.requestText === undefined ? undefined : JSON.parse(exchange.requestText)
      return errorsOf(operation.request, body).map((error) => `${operation.name} request: ${error}`)
    })
    expect(failures).toEqual([])
  })

  it("should get 200 answers that validate against the operation's schema", () => {
    const failures = traffic.flatMap((exchange) => {
      const operation = operationOf(exchange.method, exchange.path)!
      if (exchange.status !== 200) return [`${operation.name}: ${exchange.status}`]
      return errorsOf(operation.response!, exchange.responseText ? JSON.parse(exchange.responseText) : undefined).map(
        (error) => `${operation.name} answer: ${error}`
      )
    })
    expect(failures).toEqual([])
  })

  it('should carry the bearer each operation requires: the project ID, with the refresh JWT where Descope asks for it', () => {
    const failures = traffic.flatMap((exchange) => {
      const operation = operationOf(exchange.method, exchange.path)!
      const [projectId, refreshJwt, ...rest] = exchange.authorization.replace(/^Bearer /, '').split(':')
      const ok =
        exchange.authorization.startsWith('Bearer ') &&
        projectId === edge.projectId &&
        rest.length === 0 &&
        (operation.bearer !== 'Project ID:Refresh JWT' || /^[\w-]+\.[\w-]+\.[\w-]+$/.test(refreshJwt ?? ''))
      return ok ? [] : [`${operation.name}: Authorization ${operation.bearer ?? 'none required'} expected`]
    })
    expect(failures).toEqual([])
  })
})

/** Every flow of the browser API once, through the Worker (its calls to Descope are recorded). */
async function runEveryFlow(edge: ReturnType<typeof edgeFor>) {
  const alice = new Browser(edge)
  const loginId = newLoginId('contract')
  await alice.signUp(loginId, { name: 'Alice' })
  await new Browser(edge, alice.authenticator).signIn(loginId)

  // Sign-in without a login ID (a discoverable passkey).
  const usernameless = new Browser(edge, alice.authenticator)
  const start = await usernameless.call('/auth/passkey/signin/start', {})
  expect(start.status, JSON.stringify(start.body)).toBe(200)
  const assertion = await usernameless.authenticator.get(start.body.options, usernameless.origin)
  expect((await usernameless.call('/auth/passkey/signin/finish', { transactionId: start.body.transactionId, response: assertion })).status).toBe(200)

  // Sign-up-or-in: a new user (create), then the same one again (sign-in).
  const bob = new Browser(edge)
  const bobId = newLoginId('contract-bob')
  for (let round = 0; round < 2; round++) {
    const prepared = await bob.prepare('signup-in', { loginId: bobId }, round === 0 ? 'create' : 'get')
    expect((await bob.call('/auth/passkey/signup-in/finish', prepared)).status).toBe(200)
  }

  // Add a device, step up.
  const phone = new Browser(edge, new SoftwareAuthenticator())
  for (const [name, value] of alice.jar.cookies) phone.jar.cookies.set(name, value)
  const device = await phone.prepare('update', {})
  expect((await phone.call('/auth/passkey/update/finish', device)).status).toBe(200)
  const stepUp = await alice.prepare('signin', { stepup: true })
  expect((await alice.call('/auth/passkey/signin/finish', stepUp)).status).toBe(200)

  // Refresh, me, then sign out here and everywhere.
  expect((await alice.post('/auth/refresh')).status).toBe(200)
  const me = await edge.fetch('/auth/me', { headers: { Cookie: alice.jar.header() } })
  expect(me.status).toBe(200)
  expect((await alice.post('/auth/logout')).status).toBe(200)
  expect((await bob.post('/auth/logout-all')).status).toBe(200)
}
