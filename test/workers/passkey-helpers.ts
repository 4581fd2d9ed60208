/**
 * Helpers for the passkey workerd tests: a small cookie jar (one per simulated browser), a JSON
 * poster that carries the jar and an Origin, `Set-Cookie` parsing for exact attribute checks, and
 * whole ceremonies driven by the software authenticator.
 */
import { expect } from 'vitest'
import { SoftwareAuthenticator } from '../support/authenticator'
import { ORIGIN, type edgeFor } from '../support/edge'

export type Edge = ReturnType<typeof edgeFor>

/** One parsed `Set-Cookie` line: attribute names lower-cased, flags mapped to `true`. */
export interface SetCookie {
  name: string
  value: string
  attributes: Record<string, string | true>
}

export function parseSetCookie(line: string): SetCookie {
  const [pair = '', ...parts] = line.split(';').map((part) => part.trim())
  const equals = pair.indexOf('=')
  const attributes: Record<string, string | true> = {}
  for (const part of parts) {
    const at = part.indexOf('=')
    if (at === -1) attributes[part.toLowerCase()] = true
    else attributes[part.slice(0, at).toLowerCase()] = part.slice(at + 1)
  }
  return { name: pair.slice(0, equals), value: decodeURIComponent(pair.slice(equals + 1)), attributes }
}

export function setCookiesOf(response: Response): SetCookie[] {
  return response.headers.getAll('Set-Cookie').map(parseSetCookie)
}

/** A browser's cookies for the edge's host (every cookie here is `Path=/` and host-only). */
export class CookieJar {
  readonly cookies = new Map<string, string>()

  store(response: Response): void {
    for (const cookie of setCookiesOf(response)) {
      if (cookie.attributes['max-age'] === '0' || cookie.value === '') this.cookies.delete(cookie.name)
      else this.cookies.set(cookie.name, cookie.value)
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join('; ')
  }

  /** The names of the transaction-binding cookies held right now. */
  bindingCookies(): string[] {
    return [...this.cookies.keys()].filter((name) => name.startsWith('__Host-ptx-'))
  }

  clone(): CookieJar {
    const copy = new CookieJar()
    for (const [name, value] of this.cookies) copy.cookies.set(name, value)
    return copy
  }
}

export interface PostOptions {
  jar?: CookieJar
  /** `null` sends no Origin header. */
  origin?: string | null
  headers?: Record<string, string>
  /** A raw body instead of JSON. */
  raw?: BodyInit
}

/** A browser: its own cookie jar and authenticator. */
export class Browser {
  readonly jar = new CookieJar()

  constructor(
    readonly edge: Edge,
    readonly authenticator = new SoftwareAuthenticator(),
    readonly origin = ORIGIN
  ) {}

  post(path: string, body: unknown = {}, options: PostOptions = {}): Promise<Response> {
    return post(this.edge, path, body, { jar: this.jar, origin: this.origin, ...options })
  }

  /** POSTs and returns status and JSON body (cookies stored). */
  async call(path: string, body: unknown = {}, options: PostOptions = {}) {
    const response = await this.post(path, body, options)
    return { response, status: response.status, body: (await response.json()) as Record<string, any> }
  }

  /** A full sign-up (or sign-up-or-in with `create`), asserting success. */
  async signUp(loginId: string, extra: Record<string, unknown> = {}) {
    const start = await this.call('/auth/passkey/signup/start', { loginId, ...extra })
    expect(start.status, JSON.stringify(start.body)).toBe(200)
    const response = await this.authenticator.create(start.body.options, this.origin)
    const finish = await this.call('/auth/passkey/signup/finish', { transactionId: start.body.transactionId, response })
    expect(finish.status, JSON.stringify(finish.body)).toBe(200)
    return finish
  }

  /** A full sign-in, asserting success. */
  async signIn(loginId: string) {
    const start = await this.call('/auth/passkey/signin/start', { loginId })
    expect(start.status, JSON.stringify(start.body)).toBe(200)
    const response = await this.authenticator.get(start.body.options, this.origin)
    const finish = await this.call('/auth/passkey/signin/finish', { transactionId: start.body.transactionId, response })
    expect(finish.status, JSON.stringify(finish.body)).toBe(200)
    return finish
  }

  /** A full sign-in without a login ID (the authenticator picks its passkey), asserting success. */
  async signInWithoutLoginId() {
    const start = await this.call('/auth/passkey/signin/start', {})
    expect(start.status, JSON.stringify(start.body)).toBe(200)
    const response = await this.authenticator.get(start.body.options, this.origin)
    const finish = await this.call('/auth/passkey/signin/finish', { transactionId: start.body.transactionId, response })
    expect(finish.status, JSON.stringify(finish.body)).toBe(200)
    return finish
  }

  /** Starts a flow and produces the authenticator's answer, without finishing. */
  async prepare(
    flow: 'signup' | 'signin' | 'signup-in' | 'update',
    body: Record<string, unknown>,
    ceremony: 'create' | 'get' = flow === 'signin' ? 'get' : 'create'
  ) {
    const start = await this.call(`/auth/passkey/${flow}/start`, body)
    expect(start.status, JSON.stringify(start.body)).toBe(200)
    const response =
      ceremony === 'create' ? await this.authenticator.create(start.body.options, this.origin) : await this.authenticator.get(start.body.options, this.origin)
    // The result is the finish body as is; `start` is non-enumerable so it is not posted.
    const finish = { transactionId: start.body.transactionId as string, response }
    return Object.defineProperty(finish, 'start', { value: start, enumerable: false }) as typeof finish & { start: typeof start }
  }
}

/** POSTs JSON to the edge with an Origin and the jar's cookies; stores the answer's cookies. */
export async function post(edge: Edge, path: string, body: unknown, options: PostOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', ...options.headers }
  const origin = options.origin === undefined ? ORIGIN : options.origin
  if (origin !== null) headers.Origin = origin
  const cookie = options.jar?.header()
  if (cookie) headers.Cookie = cookie
  const response = await edge.fetch(path, { method: 'POST', headers, body: options.raw ?? JSON.stringify(body) })
  options.jar?.store(response)
  return response
}

/** The payload of a JWT, decoded without verification (the edge verified it; tests only read it). */
export function jwtPayload(token: string): Record<string, unknown> {
  const [, payload = ''] = token.split('.')
  const normal = payload.replace(/-/g, '+').replace(/_/g, '/')
  return JSON.parse(atob(normal + '='.repeat((4 - (normal.length % 4)) % 4)))
}

/** A unique login ID per test, so users never collide inside one project. */
export function newLoginId(prefix = 'user'): string {
  return `${prefix}-${crypto.randomUUID().slice(0, 8)}@example.com`
}

/** Finish call counters of every flow at the emulator. */
export async function finishCalls(edge: Edge): Promise<number> {
  const calls = await edge.emulator.calls()
  return Object.entries(calls)
    .filter(([route]) => /^POST \/v1\/auth\/webauthn\/[a-z-]+\/finish$/.test(route))
    .reduce((sum, [, count]) => sum + count, 0)
}

/** A body a finish route would accept, with a credential that never reaches Descope. */
export function wellFormedFinish(transactionId: string) {
  return {
    transactionId,
    response: { id: 'AAAA', rawId: 'AAAA', type: 'public-key', response: { clientDataJSON: 'e30', authenticatorData: 'AA', signature: 'AA' } },
  }
}
