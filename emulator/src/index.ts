/**
 * @module
 * The local Descope emulator (emulator/README.md): a Worker that serves the part of Descope's
 * auth API passkey-edge uses, for any well-formed project ID. This front resolves the project
 * and hands the request to that project's Durable Object; it also answers CORS so a browser
 * SDK may talk to it directly.
 */
import { PROJECT_HEADER } from './context'
import { ApiError, errorResponse, notFound } from './errors'
import type { EmulatorEnv } from './project'
import { PROJECT_ID, readBearer, withBufferedBody } from './request'

export { EmulatorProject } from './project'

export default {
  async fetch(incoming: Request, env: EmulatorEnv): Promise<Response> {
    let request: Request
    try {
      request = await withBufferedBody(incoming)
    } catch (error) {
      if (error instanceof ApiError) return withCors(incoming, error.toResponse())
      return withCors(incoming, errorResponse(400, 'E011001', 'Bad request', 'The request body could not be read'))
    }
    if (request.method === 'OPTIONS') return withCors(request, new Response(null, { status: 204 }))
    try {
      const projectId = projectIdOf(request)
      // `manual`: a redirect the project answers (a fault) goes back to the client, never followed here.
      const forwarded = new Request(request, { redirect: 'manual' })
      forwarded.headers.set(PROJECT_HEADER, projectId)
      const stub = env.PROJECTS.get(env.PROJECTS.idFromName(projectId))
      return withCors(request, await stub.fetch(forwarded))
    } catch (error) {
      if (error instanceof ApiError) return withCors(request, error.toResponse())
      console.error('emulator front error', error)
      return withCors(request, errorResponse(500, 'E010000', 'Internal error', 'The emulator failed; see its log'))
    }
  },
} satisfies ExportedHandler<EmulatorEnv>

/** The project: from the path (`/v2/keys/:pid`, `/emulator/:pid/…`), else `Bearer <pid>[:…]`, else `x-descope-project-id`. */
function projectIdOf(request: Request): string {
  const path = new URL(request.url).pathname
  const fromPath = /^\/(?:v2\/keys|emulator)\/([^/]*)/.exec(path)?.[1]
  const isApi = path.startsWith('/v1/') || path.startsWith('/v2/keys/') || path.startsWith('/emulator/')
  if (!isApi) throw notFound(path)
  const projectId = fromPath ?? readBearer(request).projectId ?? request.headers.get('x-descope-project-id') ?? undefined
  if (!projectId) throw new ApiError(401, 'E011002', 'Missing arguments', 'Project ID is missing from the Authorization header')
  if (!PROJECT_ID.test(projectId)) throw new ApiError(400, 'E011003', 'Request is invalid', 'Project ID is malformed')
  return projectId
}

/** Credentialed CORS with an echoed origin (core-js fetches with `credentials: 'include'`). */
function withCors(request: Request, response: Response): Response {
  const origin = request.headers.get('Origin')
  if (!origin) return response
  const headers = new Headers(response.headers)
  headers.set('Access-Control-Allow-Origin', origin)
  headers.set('Access-Control-Allow-Credentials', 'true')
  headers.append('Vary', 'Origin')
  if (request.method === 'OPTIONS') {
    headers.set('Access-Control-Allow-Methods', 'GET, POST, DELETE, OPTIONS')
    headers.set('Access-Control-Allow-Headers', request.headers.get('Access-Control-Request-Headers') ?? 'authorization, content-type')
    headers.set('Access-Control-Max-Age', '600')
  }
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers })
}
