/**
 * @module
 * Assembles the Hono app: configuration check, routes, and the single error mapping.
 */
import type { Context } from 'hono'
import { Hono } from 'hono/tiny'
import { HTTPException } from 'hono/http-exception'
import { getPath } from 'hono/utils/url'
import { ConfigError, readConfig } from './config.ts'
import type { AppEnv } from './context.ts'
import { demoRoutes } from './demo/routes.ts'
import { getDescopeClient } from './descope/for-config.ts'
import { AppError, toErrorAnswer } from './errors.ts'
import { healthRoutes } from './health/routes.ts'
import { passkeyRoutes } from './passkey/routes.ts'
import { recoveryRoutes } from './recovery/routes.ts'
import { sessionRoutes } from './session/routes.ts'
import { getTelemetry } from './request-context.ts'

export function createApp(): Hono<AppEnv> {
  // Groups of routes by base path, each registered when a request first asks for a path under
  // it, before Hono matches that request's routes (Hono asks for the path just before). Why: a
  // new isolate pays for every route it registers (a regular expression each, middlewares made),
  // and most new isolates first serve a session check, not a sign-in (bench/README.md, "Cold
  // isolates"). A path under no group is a 404 either way. Once registered, a group's entry stays,
  // emptied, so that `/auth/passkey/…` still finds its own group before `/auth`.
  const groups: Record<string, ((routes: Hono<AppEnv>) => void) | undefined> = {
    '/auth/passkey': passkeyRoutes,
    '/auth/recover': recoveryRoutes,
    '/auth': sessionRoutes,
    '/api': demoRoutes,
  }
  const app = new Hono<AppEnv>({
    getPath(request) {
      const path = getPath(request)
      const base = Object.keys(groups).find((candidate) => path.startsWith(`${candidate}/`))
      if (base) {
        groups[base]?.(app.basePath(base))
        groups[base] = undefined
      }
      return path
    },
  })

  // Nothing under /auth or /api may be stored by a browser or a shared cache.
  app.use('*', async function noStore(c, next) {
    await next()
    c.header('Cache-Control', 'no-store')
  })

  // Every request needs a valid configuration: a broken deploy answers 500 naming the variable.
  app.use('*', async function configuration(c, next) {
    const config = readConfig(c.env)
    c.set('config', config)
    c.set('descope', getDescopeClient(config))
    await next()
  })

  // One spelling per route: no trailing slash, no percent-encoding (no route needs it), so a
  // variant can never slip past a rule written for the plain path.
  app.use('*', async function canonicalPath(c, next) {
    if (/.\/$|%/.test(new URL(c.req.url).pathname)) throw new AppError('not_found')
    await next()
  })

  healthRoutes(app)

  // A known path with another method is a 405 naming the allowed ones, not a 404.
  app.notFound((c) => {
    const allow = app.routes.filter((route) => route.path === c.req.path && route.method !== 'ALL').map((route) => route.method)
    if (allow.length === 0) return answer(c, new AppError('not_found'))
    return answer(c, new AppError('method_not_allowed', { headers: { Allow: [...new Set(allow)].join(', ') } }))
  })
  app.onError((error, c) => {
    if (error instanceof AppError) return answer(c, error)
    if (error instanceof ConfigError) {
      getTelemetry(c).log('error', 'configuration_error', { variable: error.variable, reason: error.message })
      return answer(c, new AppError('configuration_error', { message: `The Worker is misconfigured: ${error.message}.` }))
    }
    if (error instanceof HTTPException) return error.getResponse()
    // Unknown failure: log its name only (messages can carry request data), answer generically.
    getTelemetry(c).log('error', 'unhandled_error', { name: error.name })
    return answer(c, new AppError('internal_error'))
  })

  return app
}

/** The one place an error becomes a response, carrying the request's ID. */
function answer(c: Context<AppEnv>, error: AppError): Response {
  const { status, headers, body } = toErrorAnswer(error, getTelemetry(c).requestId)
  return c.json(body, status, headers)
}
