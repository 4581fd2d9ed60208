/**
 * @module
 * Assembles the Hono app: configuration check, routes, and the single error mapping.
 */
import { Hono } from 'hono/tiny'
import { HTTPException } from 'hono/http-exception'
import { ConfigError, readConfig } from './config'
import { clientFor } from './descope/for-config'
import type { AppEnv } from './env'
import { AppError, errorBody } from './errors'
import { demoRoutes } from './routes/demo'
import { passkeyRoutes } from './routes/passkey'
import { sessionRoutes } from './routes/session'

export function createApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  // Nothing under /auth or /api may be stored by a browser or a shared cache.
  app.use('*', async function noStore(c, next) {
    await next()
    c.header('Cache-Control', 'no-store')
  })

  // Every request needs a valid configuration: a broken deploy answers 500 naming the variable.
  app.use('*', async function configuration(c, next) {
    const config = readConfig(c.env)
    c.set('config', config)
    c.set('descope', clientFor(config))
    await next()
  })

  // One spelling per route: no trailing slash, no percent-encoding (no route needs it), so a
  // variant can never slip past a rule written for the plain path.
  app.use('*', async function canonicalPath(c, next) {
    if (/.\/$|%/.test(new URL(c.req.url).pathname)) return c.json(errorBody('not_found', 'There is nothing at this path.'), 404)
    await next()
  })

  app.get('/healthz', (c) => c.json({ ok: true }))
  app.route('/auth/passkey', passkeyRoutes)
  app.route('/auth', sessionRoutes)
  app.route('/api', demoRoutes)

  // A known path with another method is a 405 naming the allowed ones, not a 404.
  app.notFound((c) => {
    const allow = app.routes.filter((route) => route.path === c.req.path && route.method !== 'ALL').map((route) => route.method)
    if (allow.length === 0) return c.json(errorBody('not_found', 'There is nothing at this path.'), 404)
    return c.json(errorBody('method_not_allowed', 'This path does not take that method.'), 405, { Allow: [...new Set(allow)].join(', ') })
  })
  app.onError((error, c) => {
    if (error instanceof AppError) {
      for (const [name, value] of Object.entries(error.headers)) c.header(name, value)
      return c.json(errorBody(error.code, error.message), error.status)
    }
    if (error instanceof ConfigError) {
      console.error(JSON.stringify({ event: 'configuration_error', variable: error.variable, reason: error.message }))
      return c.json(errorBody('configuration_error', `The Worker is misconfigured: ${error.message}.`), 500)
    }
    if (error instanceof HTTPException) return error.getResponse()
    // Unknown failure: log its name only (messages can carry request data), answer generically.
    console.error(JSON.stringify({ event: 'unhandled_error', name: error.name }))
    return c.json(errorBody('internal_error', 'Something went wrong on our side.'), 500)
  })

  return app
}
