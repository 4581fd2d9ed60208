/**
 * @module
 * The origin rule (docs/design.md, "Origins"): a state-changing request must carry an `Origin` header
 * exactly equal to one configured origin. No prefix, suffix or case folding; `null` and a missing
 * header are refused. This is also the CSRF defence for cookie-authenticated POSTs.
 */
import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../context.ts'
import { AppError } from '../errors.ts'

/**
 * Refuses the request with 403 `origin_not_allowed` unless its `Origin` is allowed, and sets
 * `c.var.origin` to the configured string (what Descope receives as the WebAuthn origin).
 */
export const requireAllowedOrigin = () =>
  createMiddleware<AppEnv>(async function allowedOrigin(c, next) {
    const origin = c.req.header('Origin')
    // A repeated header arrives joined with ", " and so can never equal a configured origin.
    if (origin === undefined || !c.var.config.allowedOrigins.has(origin)) {
      throw new AppError('origin_not_allowed')
    }
    c.set('origin', origin)
    await next()
  })
