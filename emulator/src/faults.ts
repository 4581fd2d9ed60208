/**
 * @module
 * Call counting and fault injection for Descope routes (never for the control API). Faults are
 * inert until a test adds one: latency, a forced status/body/headers, headers added to the real
 * answer, a reset connection, or another user's valid tokens.
 */
import type { MiddlewareHandler } from 'hono'
import type { ProjectBindings, ProjectEnv } from './context'
import { tokenResponse } from './cookies'
import { ApiError } from './errors'
import { openSession } from './sessions'
import type { Fault, Store } from './store'

/** The counting key: `METHOD /path`, with the keys route's project ID dropped (`GET /v2/keys`). */
export function routeKey(method: string, path: string): string {
  return `${method.toUpperCase()} ${path.startsWith('/v2/keys/') ? '/v2/keys' : path}`
}

/** Counts the call, then applies the first matching fault (consuming one of its `times`). */
export const countAndFault: MiddlewareHandler<ProjectEnv> = async (c, next) => {
  const route = routeKey(c.req.method, c.req.path)
  const { store } = c.env
  await store.countCall(route)
  const fault = await takeFault(store, route)
  if (!fault) return next()
  if (fault.latencyMs) await new Promise((resolve) => setTimeout(resolve, fault.latencyMs))
  if (fault.reset) return resetResponse()
  if (fault.tokensOf !== undefined) return tokensOf(c.env, fault.tokensOf, route)
  if (fault.status !== undefined) return faultResponse(fault)
  await next()
  // Headers without a status join the real answer (e.g. a proxy's unrelated Set-Cookie).
  if (fault.headers) c.res = withHeaders(c.res, fault.headers)
}

function withHeaders(response: Response, extra: Record<string, string | string[]>): Response {
  const headers = new Headers(response.headers)
  appendHeaders(headers, extra)
  return new Response(response.body, { status: response.status, headers })
}

function appendHeaders(headers: Headers, extra: Record<string, string | string[]>): void {
  for (const [name, value] of Object.entries(extra)) for (const one of [value].flat()) headers.append(name, one)
}

async function takeFault(store: Store, route: string): Promise<Fault | undefined> {
  const faults = await store.faults()
  const index = faults.findIndex((fault) => fault.route === route || fault.route === '*')
  const fault = faults[index]
  if (!fault) return undefined
  if (fault.times !== undefined) {
    if (fault.times <= 1) faults.splice(index, 1)
    else faults[index] = { ...fault, times: fault.times - 1 }
    await store.putFaults(faults)
  }
  return fault
}

function faultResponse(fault: Fault): Response {
  const status = fault.status ?? 500
  const headers = new Headers()
  appendHeaders(headers, fault.headers ?? {})
  if (typeof fault.body === 'string') return new Response(fault.body, { status, headers })
  if (status === 429 && !headers.has('Retry-After')) headers.set('Retry-After', '1')
  headers.set('Content-Type', 'application/json')
  const body = fault.body ?? defaultBody(status)
  return new Response(JSON.stringify(body), { status, headers })
}

function defaultBody(status: number): Record<string, string> {
  if (status === 429) return { errorCode: 'E130429', errorDescription: 'https://docs.descope.com/rate-limit', errorMessage: 'API rate limit exceeded.' }
  return { errorCode: 'E010000', errorDescription: 'Injected fault', errorMessage: `Injected fault with status ${status}` }
}

/**
 * A JWT answer with a new session of `userId`, whoever called and whatever they sent: what a
 * confused or compromised Descope (or anything in between) could answer a refresh with. Shaped
 * as the route answers: a refresh carries a refresh JWT only with `refresh_token_rotation`.
 */
async function tokensOf(context: ProjectBindings, userId: string, route: string): Promise<Response> {
  const user = await context.store.user(userId)
  if (!user) throw new ApiError(404, 'E062108', 'User not found', 'No user with this ID (tokensOf fault)')
  const answer = await openSession(context, user, { amr: ['webauthn'], su: false, customClaims: {}, firstSeen: false })
  const settings = context.store.settings()
  const withRefresh = route !== 'POST /v1/auth/refresh' || settings.refresh_token_rotation
  return tokenResponse(settings, withRefresh ? answer : { ...answer, refreshJwt: undefined })
}

/** Headers, then a body stream that fails: the client sees the connection drop mid-answer. */
function resetResponse(): Response {
  const body = new ReadableStream({
    pull(controller) {
      controller.error(new Error('connection reset (injected fault)'))
    },
  })
  return new Response(body, { status: 200, headers: { 'Content-Type': 'application/json' } })
}
