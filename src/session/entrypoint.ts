/**
 * @module
 * `SessionVerifier`: the session check for other Workers, over a service binding (RPC).
 * It uses this Worker's configuration and its isolate's key cache; it never refreshes (it cannot
 * set the caller's cookies) and never calls Descope except to fetch signing keys.
 */
import { WorkerEntrypoint } from 'cloudflare:workers'
import { readConfig } from '../config'
import { clientFor } from '../descope/for-config'
import type { Env } from '../env'
import { Telemetry } from '../telemetry/telemetry'
import { verifierFor } from './for-config'
import { checkRequirements, type SessionRequirements } from './policy'
import { locateToken } from './token'
import type { Session } from './types'

/** The session as sent over RPC: the token itself stays with the caller. */
type RemoteSession = Omit<Session, 'token'>

type VerifyOutcome =
  | { ok: true; session: RemoteSession }
  | {
      ok: false
      status: 401 | 403 | 503 | 500
      code: 'unauthorized' | 'insufficient_user_authentication' | 'forbidden' | 'unavailable' | 'configuration_error'
    }

/**
 * Bind it from another Worker (`[[services]] binding = "SESSION", service = "passkey-edge",
 * entrypoint = "SessionVerifier"`) and call `env.SESSION.verifyRequest({ headers })`.
 */
export class SessionVerifier extends WorkerEntrypoint<Env> {
  /** Verifies a session token (as sent in `Authorization: Bearer` or the `DS` cookie). */
  async verify(token: unknown, requirements: SessionRequirements = {}): Promise<VerifyOutcome> {
    if (typeof token !== 'string' || !token) return { ok: false, status: 401, code: 'unauthorized' }
    return this.check(token, requirements)
  }

  /** Verifies the session of a request: `Authorization: Bearer` first, else the session cookie. */
  async verifyRequest(request: { headers?: unknown }, requirements: SessionRequirements = {}): Promise<VerifyOutcome> {
    let headers: Headers
    try {
      headers = new Headers(request?.headers as HeadersInit)
    } catch {
      return { ok: false, status: 401, code: 'unauthorized' }
    }
    const config = this.config()
    if (!config) return { ok: false, status: 500, code: 'configuration_error' }
    const source = locateToken(headers, config.sessionCookieName)
    if (!source.token) return { ok: false, status: 401, code: 'unauthorized' }
    return this.check(source.token, requirements)
  }

  private async check(token: string, requirements: SessionRequirements): Promise<VerifyOutcome> {
    const config = this.config()
    if (!config) return { ok: false, status: 500, code: 'configuration_error' }
    // An RPC call has no cf-ray: its lines and data points get a generated request ID.
    const telemetry = new Telemetry(this.env.METRICS, this.ctx)
    const result = await verifierFor(config, clientFor(config)).verify(token, { scope: telemetry })
    if (!result.ok) {
      telemetry.log('info', 'session_rejected', { from: 'rpc', reason: result.reason })
      telemetry.count('session_rejected', [result.reason, 'rpc'])
      return { ok: false, status: result.status, code: result.code }
    }
    const verdict = checkRequirements(result.session, requirements ?? {})
    if (verdict === 'forbidden') return { ok: false, status: 403, code: 'forbidden' }
    if (verdict === 'stepup') return { ok: false, status: 401, code: 'insufficient_user_authentication' }
    const { token: _token, ...session } = result.session
    return { ok: true, session }
  }

  private config() {
    try {
      return readConfig(this.env)
    } catch {
      return undefined
    }
  }
}
