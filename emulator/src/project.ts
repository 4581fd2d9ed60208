/**
 * @module
 * One Durable Object per project (`idFromName(projectId)`): it owns the project's storage and
 * serves all of its requests, one at a time where it matters (a transaction is taken once).
 */
import { DurableObject } from 'cloudflare:workers'
import { Hono } from 'hono'
import { auth } from './auth'
import { PROJECT_HEADER, type ProjectEnv } from './context'
import { control } from './control'
import { ApiError, errorResponse, notFound } from './errors'
import { countAndFault } from './faults'
import { flows } from './flows'
import { magicLink } from './magiclink'
import { withBufferedBody } from './request'
import { Store } from './store'
import { publicJwk } from './tokens'

/** The emulator Worker's bindings (emulator/wrangler.jsonc). */
export interface EmulatorEnv {
  PROJECTS: DurableObjectNamespace<EmulatorProject>
  /** Fixed RP ID ("Top Level Domain" in Descope's passkey settings); default: the origin's host. */
  EMULATOR_RP_ID?: string
}

const app = new Hono<ProjectEnv>()

app.use('/v1/*', countAndFault)
app.use('/v2/*', countAndFault)
app.route('/v1/auth/webauthn', flows)
app.route('/v1/auth/magiclink', magicLink)
app.route('/v1/auth', auth)
app.get('/v2/keys/:projectId', async (c) => {
  const { keys } = await c.env.store.signingKeys()
  return c.json({ keys: keys.map(publicJwk) })
})
app.route('/emulator/:projectId', control)

app.notFound((c) => notFound(c.req.path).toResponse())
app.onError((error) => {
  if (error instanceof ApiError) return error.toResponse()
  console.error('emulator error', error)
  return errorResponse(500, 'E010000', 'Internal error', 'The emulator failed; see its log')
})

export class EmulatorProject extends DurableObject<EmulatorEnv> {
  private readonly store: Store

  constructor(ctx: DurableObjectState, env: EmulatorEnv) {
    super(ctx, env)
    this.store = new Store(ctx.storage)
    void ctx.blockConcurrencyWhile(() => this.store.load())
  }

  override async fetch(incoming: Request): Promise<Response> {
    let request: Request
    try {
      request = await withBufferedBody(incoming)
    } catch (error) {
      return error instanceof ApiError ? error.toResponse() : errorResponse(400, 'E011001', 'Bad request', 'The request body could not be read')
    }
    const projectId = request.headers.get(PROJECT_HEADER) ?? ''
    const apiBase = new URL(request.url).origin
    return app.fetch(request, { store: this.store, projectId, apiBase, rpId: this.env.EMULATOR_RP_ID || undefined })
  }
}
