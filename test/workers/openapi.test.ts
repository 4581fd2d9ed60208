/**
 * static/openapi.json — the OpenAPI 3.1 description of the browser API — against the Worker's
 * real answers: every route of test/support/routes.ts is described, and each answer of a run of
 * the flows (sign-up, sign-in, sign-up-or-in, step-up, add-device, session, refresh, logout, and
 * the usual refusals) has a documented status and a body that validates against its schema.
 */
import { Validator, type Schema } from '@cfworker/json-schema'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import document from '../../static/openapi.json'
import { SoftwareAuthenticator } from '../support/authenticator'
import { edgeFor, ORIGIN } from '../support/edge'
import { RECOVERY_ROUTES, ROUTES } from '../support/routes'
import { Browser, newLoginId, wellFormedFinish } from './passkey-helpers'

type Json = Record<string, any>
const doc = document as Json
const edge = edgeFor()
/** Every answer checked, as `METHOD path status`: the run must cover what it claims. */
const seen = new Set<string>()

/** The schema of one documented answer, with `$ref`s resolved against the document's components. */
function schemaOf(method: string, path: string, status: number): Schema {
  const operation = doc.paths[path]?.[method.toLowerCase()]
  expect(operation, `${method} ${path} is described`).toBeDefined()
  let answer = operation.responses[String(status)]
  expect(answer, `${method} ${path} documents ${status}`).toBeDefined()
  if (answer.$ref) answer = doc.components.responses[answer.$ref.split('/').pop()]
  return { components: doc.components, allOf: [answer.content['application/json'].schema] } as Schema
}

async function expectDocumented(method: string, path: string, response: Response): Promise<Json> {
  const body = (await response.json()) as Json
  const result = new Validator(schemaOf(method, path, response.status), '2020-12', false).validate(body)
  expect(
    result.errors.map((error) => `${error.instanceLocation}: ${error.error}`),
    `${method} ${path} ${response.status} ${JSON.stringify(body)}`
  ).toEqual([])
  expect(response.headers.get('Content-Type')).toMatch(/^application\/json/)
  seen.add(`${method} ${path} ${response.status}`)
  return body
}

/** A browser whose every call is checked against the document. */
class CheckedBrowser extends Browser {
  override async call(path: string, body: unknown = {}, options = {}) {
    const response = await this.post(path, body, options)
    return { response, status: response.status, body: await expectDocumented('POST', path, response) }
  }

  async get(path: string) {
    const headers: Record<string, string> = {}
    const cookie = this.jar.header()
    if (cookie) headers.Cookie = cookie
    const response = await this.edge.fetch(path, { headers })
    this.jar.store(response)
    return { status: response.status, body: await expectDocumented('GET', path, response) }
  }
}

describe('static/openapi.json', () => {
  it('should be OpenAPI 3.1 and describe exactly the routes the Worker serves', () => {
    expect(doc.openapi).toMatch(/^3\.1\./)
    const described = Object.entries(doc.paths as Json).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`))
    expect(described.sort()).toEqual([...ROUTES, ...RECOVERY_ROUTES].map(([method, path]) => `${method} ${path}`).sort())
  })

  it('should be served as a static file beside the page', async () => {
    const assets = (env as unknown as { ASSETS: Fetcher }).ASSETS
    const response = await assets.fetch('https://edge.example/openapi.json')
    expect(response.status).toBe(200)
    expect(response.headers.get('Content-Type')).toMatch(/^application\/json/)
    expect(await response.json()).toEqual(doc)
  })

  it('should match the answers of the passkey and session flows', async () => {
    const browser = new CheckedBrowser(edge)
    const loginId = newLoginId('openapi')
    await browser.signUp(loginId, { name: 'Ada' })
    await browser.get('/auth/session')
    await browser.get('/auth/me')
    await browser.get('/api/hello')
    expect((await browser.get('/api/sensitive')).status).toBe(401)

    // Step-up, then the sensitive route.
    const stepUp = await browser.prepare('signin', { stepup: true }, 'get')
    expect((await browser.call('/auth/passkey/signin/finish', stepUp)).status).toBe(200)
    expect((await browser.get('/api/sensitive')).status).toBe(200)

    // Add a second device, refresh, sign in again elsewhere, sign up-or-in.
    const start = await browser.call('/auth/passkey/update/start', {})
    const response = await new SoftwareAuthenticator().create(start.body.options, ORIGIN)
    expect((await browser.call('/auth/passkey/update/finish', { transactionId: start.body.transactionId, response })).status).toBe(200)
    expect((await browser.call('/auth/refresh')).status).toBe(200)
    const elsewhere = new CheckedBrowser(edge, browser.authenticator)
    await elsewhere.signIn(loginId)
    expect((await elsewhere.call('/auth/passkey/signin/start', {})).status).toBe(200)
    const other = new CheckedBrowser(edge)
    const signUpIn = await other.prepare('signup-in', { loginId: newLoginId('openapi-in') })
    expect(signUpIn.start.body.create).toBe(true)
    expect((await other.call('/auth/passkey/signup-in/finish', signUpIn)).status).toBe(200)

    expect((await browser.call('/auth/logout')).status).toBe(200)
    expect((await elsewhere.call('/auth/logout-all')).status).toBe(200)
    expect((await elsewhere.call('/auth/logout-all')).status).toBe(401)
    expect((await browser.get('/auth/session')).status).toBe(401)
    expect((await browser.call('/auth/refresh')).status).toBe(401)
    expect((await browser.get('/healthz')).status).toBe(200)
    expect((await browser.get('/readyz')).status).toBe(200)
  })

  it('should match the refusals', async () => {
    const browser = new CheckedBrowser(edge)
    expect((await browser.call('/auth/passkey/signup/start', { loginId: 'a@example.com', origin: 'x' })).status).toBe(400)
    expect((await browser.call('/auth/passkey/signup/start', { loginId: '\u202e' })).status).toBe(400)
    expect((await browser.call('/auth/passkey/signup/start', { loginId: 'a@example.com' }, { origin: 'https://evil.example' })).status).toBe(403)
    expect((await browser.call('/auth/passkey/signup/start', {}, { raw: 'x', headers: { 'Content-Type': 'text/plain' } })).status).toBe(415)
    expect((await browser.call('/auth/passkey/signup/start', {}, { raw: JSON.stringify({ loginId: 'x'.repeat(5000) }) })).status).toBe(413)
    expect((await browser.call('/auth/passkey/signin/finish', wellFormedFinish('A'.repeat(43)))).status).toBe(400)
    expect((await browser.call('/auth/passkey/update/start', {})).status).toBe(401)
    const wrongMethod = await edge.fetch('/auth/passkey/signup/start')
    expect(wrongMethod.status).toBe(405)
    await expectDocumented('POST', '/auth/passkey/signup/start', wrongMethod)
    expect((await browser.get('/api/hello')).status).toBe(401)
  })

  it('should match the answers of recovery, on and off', async () => {
    const on = edgeFor(undefined, { RECOVERY: 'email-link' })
    const browser = new CheckedBrowser(on)
    const loginId = newLoginId('openapi-recover')
    await browser.signUp(loginId)
    expect((await browser.get('/auth/recover/method')).status).toBe(200)
    expect((await browser.call('/auth/recover/start', { loginId })).status).toBe(200)
    const link = (await on.emulator.outbox()).find((sent) => sent.to === loginId)?.link ?? ''
    const token = new URL(link).searchParams.get('t')
    expect((await browser.call('/auth/recover/finish', { token })).status).toBe(200)
    expect((await browser.call('/auth/recover/finish', { token })).status).toBe(400)
    expect((await browser.call('/auth/recover/finish', { token: 'a b' })).status).toBe(400)
    expect((await new CheckedBrowser(edge).call('/auth/recover/start', { loginId })).status).toBe(404)
  })

  it('should have checked every kind of answer the runs above claim', () => {
    for (const answer of [
      'POST /auth/passkey/signup/finish 200',
      'POST /auth/passkey/update/finish 200',
      'POST /auth/logout-all 200',
      'GET /api/sensitive 401',
      'POST /auth/refresh 401',
      'POST /auth/passkey/signup/start 415',
      'POST /auth/recover/finish 200',
      'POST /auth/recover/start 404',
    ]) {
      expect(seen).toContain(answer)
    }
  })
})
