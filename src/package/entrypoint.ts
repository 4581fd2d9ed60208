/**
 * @module
 * `SessionVerifier`: the session check for other Workers, over a service binding (RPC). It runs
 * this Worker's check (authenticate.ts) with this Worker's configuration and its isolate's key
 * cache. With `refresh: true` it may refresh an expired session with the refresh cookie and
 * answer the new cookies in `setCookie`, for the caller to put on its own answer.
 *
 * Its types are the package's `passkey-edge/rpc`: a caller writes `Service<SessionVerifier>`.
 */
import { WorkerEntrypoint } from 'cloudflare:workers'
import { readConfig } from '../config.ts'
import type { Env } from '../env.ts'
import { AppError, unauthorized } from '../errors.ts'
import { limitClientIp } from '../request/rate-limit.ts'
import { Telemetry } from '../telemetry/telemetry.ts'
import { getWorkerSetup } from '../session/worker-setup.ts'
import { bearer, checkRequest, toFailure } from './outcome.ts'
import type { RequestCheckOptions, VerifyOutcome } from './outcome-types.ts'
import type { SessionRequirements } from '../session/policy.ts'
import type { ClaimValue, Session } from '../session/types.ts'

/**
 * The session as sent over RPC: the token itself stays with the caller, and the claims are typed
 * as the JSON they are (so the type survives RPC's serialisation rules in `Service<…>`).
 */
export type RemoteSession = Omit<Session, 'token' | 'claims'> & { claims: { [claim: string]: ClaimValue } }

/** What `verify` and `verifyRequest` answer. */
export type RemoteOutcome = VerifyOutcome<RemoteSession>

/**
 * Bind it from another Worker (`"services": [{ "binding": "SESSION", "service": "passkey-edge",
 * "entrypoint": "SessionVerifier" }]`) and call `env.SESSION.verifyRequest({ headers })`.
 */
export class SessionVerifier extends WorkerEntrypoint<Env> {
  /** Verifies a session token (as sent in `Authorization: Bearer` or the session cookie). Never refreshes. */
  async verify(token: unknown, requirements: SessionRequirements = {}): Promise<RemoteOutcome> {
    const telemetry = this.telemetry()
    const setup = this.setup(telemetry)
    if (!('settings' in setup)) return setup
    if (typeof token !== 'string' || !token) return toFailure(unauthorized(false), telemetry)
    return remote(
      await checkRequest({ headers: bearer(token), telemetry, source: 'rpc' }, setup, requirements, { allowedOrigins: NO_ORIGINS, mayRefresh: false })
    )
  }

  /**
   * Verifies the session of a request: `Authorization: Bearer` first, else the session cookie.
   * With `refresh: true`, an expired or missing session cookie is refreshed with the refresh
   * cookie; put `setCookie` on your answer (one `Set-Cookie` header each). A request the cookies
   * authenticate must pass the CSRF rule, with this Worker's `ALLOWED_ORIGINS` allowed besides
   * its own origin: pass its `method` and `url` (`checkOrigin` in the options).
   */
  async verifyRequest(request: { headers?: HeadersInit; method?: string; url?: string }, options: RequestCheckOptions = {}): Promise<RemoteOutcome> {
    const telemetry = this.telemetry()
    const setup = this.setup(telemetry)
    if (!('settings' in setup)) return setup
    let headers: Headers
    try {
      headers = new Headers(request?.headers)
    } catch {
      return toFailure(unauthorized(false), telemetry)
    }
    const { method, url } = request ?? {}
    // A refresh here reaches Descope like the Worker's own: counted against the browser's IP, from the headers passed on.
    const beforeRefresh = () => limitClientIp({ env: this.env, projectId: setup.settings.projectId, telemetry, route: 'rpc' }, headers)
    const check = { allowedOrigins: setup.allowedOrigins, beforeRefresh }
    return remote(await checkRequest({ headers, method, url, telemetry, source: 'rpc' }, setup, options ?? {}, check))
  }

  /** An RPC call has no cf-ray: its lines and data points get a generated request ID. */
  private telemetry() {
    return new Telemetry(this.env.METRICS, this.ctx)
  }

  private setup(telemetry: Telemetry) {
    try {
      const config = readConfig(this.env)
      return { ...getWorkerSetup(config), allowedOrigins: config.allowedOrigins }
    } catch {
      return toFailure(new AppError('configuration_error'), telemetry)
    }
  }
}

const NO_ORIGINS: ReadonlySet<string> = new Set()

/** The outcome without the token, which stays with the caller. */
function remote(outcome: VerifyOutcome): RemoteOutcome {
  if (!outcome.ok) return outcome
  const { token: _token, claims, ...session } = outcome.session
  return { ...outcome, session: { ...session, claims: claims as RemoteSession['claims'] } }
}
