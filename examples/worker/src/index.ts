/**
 * Another Worker on the site's host that protects its routes with passkey-edge's sessions, in the
 * two ways the package offers:
 *
 * - `/reports/local/*`: `descopeSession()` verifies in this Worker (jose + the isolate's key
 *   cache; an expired session cookie is refreshed here too);
 * - `/reports/remote/*`: passkey-edge's `SessionVerifier` verifies over the service binding, and
 *   may refresh (remote-session.ts).
 */
import { Hono } from 'hono'
import { descopeSession, requireAccess, type SessionVariables } from 'passkey-edge/session'
import { remoteSession, type RemoteSessionEnv } from './remote-session'

interface Env {
  DESCOPE_PROJECT_ID: string
  /** Only for a custom Descope domain, or the local emulator in development. */
  DESCOPE_BASE_URL?: string
  SESSION: RemoteSessionEnv['Bindings']['SESSION']
}

const local = new Hono<{ Bindings: Env; Variables: SessionVariables }>()
local.use('*', descopeSession({ projectId: (env) => env.DESCOPE_PROJECT_ID, baseUrl: (env) => env.DESCOPE_BASE_URL }))
local.get('/me', (c) => c.json({ via: 'descopeSession', userId: c.var.session.userId, roles: c.var.session.roles }))
local.get('/admin', requireAccess({ roles: ['admin'] }), (c) => c.json({ via: 'descopeSession', admin: c.var.session.userId }))
local.get('/confirm', requireAccess({ stepup: true }), (c) => c.json({ via: 'descopeSession', confirmed: c.var.session.userId }))

const remote = new Hono<{ Bindings: Env; Variables: RemoteSessionEnv['Variables'] }>()
remote.get('/me', remoteSession(), (c) => c.json({ via: 'rpc', userId: c.var.session.userId, roles: c.var.session.roles }))
remote.get('/admin', remoteSession({ refresh: true, roles: ['admin'] }), (c) => c.json({ via: 'rpc', admin: c.var.session.userId }))

const app = new Hono<{ Bindings: Env }>()
app.route('/reports/local', local)
app.route('/reports/remote', remote)

export default app
