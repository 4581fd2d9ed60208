/**
 * @module
 * The session check as a value instead of an answer, for callers that are not this app's routes:
 * the `SessionVerifier` RPC entrypoint (another Worker answers for itself) and the package's
 * `createVerifier()` (code that is not Hono). Failures carry what the Worker would have answered
 * — status, code, message, headers (`WWW-Authenticate`, `Retry-After`) and request ID — so a caller can give
 * the same answer; a refresh carries its `Set-Cookie` values, also when a requirement then refuses.
 */
import { AppError, forbidden, stepUpRequired, toErrorAnswer } from '../errors.ts'
import { authenticateRequest, type SessionRequest } from '../session/authenticate.ts'
import { checkRequirements, requirementsProblem } from '../session/policy.ts'
import type { Telemetry } from '../telemetry/telemetry.ts'
import type { SessionSetup } from '../session/setup.ts'
import type { RequestCheckOptions, VerifyFailure, VerifyOutcome } from './outcome-types.ts'

/**
 * Checks a request's session (Bearer first, else cookie) and the requirements. Never throws.
 * `allowedOrigins` may send cookie-authenticated unsafe requests besides the request's own origin
 * (unless `options.checkOrigin` is `false`). `mayRefresh: false` for a bare token, which has no
 * refresh cookie beside it, whatever `options` say; `beforeRefresh` runs before a refresh (a rate limit).
 */
export async function checkRequest(
  request: SessionRequest,
  setup: SessionSetup,
  options: RequestCheckOptions | null,
  { allowedOrigins, mayRefresh = true, beforeRefresh }: { allowedOrigins: ReadonlySet<string>; mayRefresh?: boolean; beforeRefresh?: () => Promise<void> }
): Promise<VerifyOutcome> {
  const { telemetry } = request
  const problem = requirementsProblem(options)
  if (problem) return toFailure(new AppError('invalid_request', { message: `Invalid option: ${problem}.` }), telemetry)
  try {
    const { checkOrigin, refresh, ...requirements } = options ?? {}
    const origins = checkOrigin === false ? 'any' : allowedOrigins
    const { session, setCookie } = await authenticateRequest(request, setup, { refresh: mayRefresh && refresh === true, origins, beforeRefresh })
    const verdict = checkRequirements(session, requirements)
    if (verdict === 'ok') return { ok: true, session, setCookie }
    return toFailure(verdict === 'forbidden' ? forbidden() : stepUpRequired(), telemetry, setCookie)
  } catch (error) {
    return toFailure(error, telemetry)
  }
}

/** A bare token, checked as the request `Authorization: Bearer <token>` would be (a token no header can carry is refused as such). */
export function bearer(token: string): Headers {
  return new Headers({ Authorization: /^[!-~]+$/.test(token) ? `Bearer ${token}` : 'Bearer' })
}

/** The outcome of an error: an `AppError` as answered; anything else logged by name and a 500. */
export function toFailure(error: unknown, telemetry: Telemetry, setCookie: string[] = []): VerifyFailure {
  if (!(error instanceof AppError)) {
    telemetry.log('error', 'unhandled_error', { name: error instanceof Error ? error.name : typeof error })
    error = new AppError('internal_error')
  }
  const { status, headers, body } = toErrorAnswer(error as AppError, telemetry.requestId)
  const { code, message, requestId } = body.error
  return { ok: false, code, status, message, headers, requestId, setCookie } as VerifyFailure
}
