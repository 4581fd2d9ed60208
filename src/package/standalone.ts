/**
 * @module
 * `createVerifier()`: the session check for code that is not Hono (a plain `fetch` handler, a
 * Node server, a queue consumer). The same check and key store as `descopeSession()`; results
 * are values (outcome.ts), never thrown. Log lines are the Worker's (JSON with a request ID);
 * there are no data points.
 */
import { readPackageSettings } from './descope-session.ts'
import { unauthorized } from '../errors.ts'
import { bearer, checkRequest, toFailure } from './outcome.ts'
import type { RequestCheckOptions, VerifyOutcome } from './outcome-types.ts'
import type { SessionRequirements } from '../session/policy.ts'
import { Telemetry } from '../telemetry/telemetry.ts'
import { getSessionSetup } from '../session/setup.ts'
import type { SessionOptions } from './options.ts'

export interface Verifier {
  /** Checks a session token and the requirements. */
  verify(token: string, requirements?: SessionRequirements): Promise<VerifyOutcome>
  /**
   * Checks a request's session (`Authorization: Bearer` first, else the session cookie) and the
   * requirements; with `refresh: true`, refreshes an expired session cookie and answers the new
   * cookies in `setCookie`. Pass the `Request` itself (or its `method` and `url` beside its
   * headers): a request the cookies authenticate must pass the CSRF rule.
   */
  verifyRequest(request: { headers: HeadersInit; method?: string; url?: string }, options?: RequestCheckOptions): Promise<VerifyOutcome>
}

/**
 * A session verifier for one Descope project.
 * @throws {Error} named `ConfigError`, naming the option, when an option is bad.
 * @example
 * const sessions = createVerifier({ projectId: 'P2abc…' })
 * const outcome = await sessions.verifyRequest(request)
 * if (!outcome.ok) return Response.json({ error: { code: outcome.code, message: outcome.message } }, { status: outcome.status, headers: outcome.headers })
 */
export function createVerifier(options: SessionOptions): Verifier {
  const settings = readPackageSettings(options, undefined)
  const setup = getSessionSetup(settings)
  const allowedOrigins = settings.allowedOrigins
  return {
    verify: (token, requirements = {}) =>
      checkRequest({ headers: bearer(token), telemetry: new Telemetry(undefined, undefined), source: 'token' }, setup, requirements, {
        allowedOrigins,
        mayRefresh: false,
      }),
    verifyRequest: async (request, checkOptions) => {
      let headers: Headers
      try {
        headers = new Headers(request?.headers)
      } catch {
        // Headers no request can carry: refused as the RPC check refuses them, not thrown.
        return toFailure(unauthorized(false), new Telemetry(undefined, undefined))
      }
      const { method, url } = request ?? {}
      return checkRequest({ headers, method, url, telemetry: new Telemetry(undefined, undefined, headers) }, setup, checkOptions ?? {}, { allowedOrigins })
    },
  }
}
