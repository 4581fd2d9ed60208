/**
 * @module
 * The session check as a value instead of an answer, for callers that are not this app's routes:
 * the `SessionVerifier` RPC entrypoint (another Worker answers for itself) and the package's
 * `createVerifier()` (code that is not Hono). Failures carry what the Worker would have answered
 * — status, code, message, headers (`WWW-Authenticate`, `Retry-After`) and request ID — so a caller can give
 * the same answer; a refresh carries its `Set-Cookie` values.
 */
import { AppError } from '../errors'
import { authenticateRequest, authenticateToken, type SessionRequest } from './authenticate'
import { checkRequirements, requirementError, type SessionRequirements } from './policy'
import type { Telemetry } from '../telemetry/telemetry'
import type { SessionSetup } from './setup'
import type { RequestCheckOptions, VerifyFailure, VerifyOutcome } from './outcome-types'
import type { Session } from './types'


/** Checks a request's session (Bearer first, else cookie) and the requirements. Never throws. */
export async function checkRequest(request: SessionRequest, setup: SessionSetup, options: RequestCheckOptions = {}): Promise<VerifyOutcome> {
  return settle(request.telemetry, async () => {
    const { session, setCookie } = await authenticateRequest(request, setup, { refresh: options.refresh === true })
    return requirementsOutcome(session, options, setCookie, request.telemetry)
  })
}

/** Checks a bare session token and the requirements. Never throws. `from` names the source in the logs. */
export async function checkToken(token: string, setup: SessionSetup, requirements: SessionRequirements, telemetry: Telemetry, from?: string): Promise<VerifyOutcome> {
  return settle(telemetry, async () => requirementsOutcome(await authenticateToken(token, setup, telemetry, from), requirements, [], telemetry))
}

/** The outcome of an error: an `AppError` as answered; anything else logged by name and a 500. */
export function failureOf(error: unknown, telemetry: Telemetry): VerifyFailure {
  if (!(error instanceof AppError)) {
    telemetry.log('error', 'unhandled_error', { name: error instanceof Error ? error.name : typeof error })
    error = new AppError('internal_error')
  }
  const { code, status, message, headers } = error as AppError
  return { ok: false, code, status, message, headers, requestId: telemetry.requestId } as VerifyFailure
}

function requirementsOutcome(session: Session, requirements: SessionRequirements, setCookie: string[], telemetry: Telemetry): VerifyOutcome {
  const refused = requirementError(session, requirements)
  if (!refused) return { ok: true, session, setCookie }
  const failure = failureOf(refused, telemetry)
  // Step-up keeps its own code, so a caller can tell "confirm with your passkey" from "sign in".
  return checkRequirements(session, requirements) === 'stepup' ? { ...failure, status: 401, code: 'insufficient_user_authentication' } : failure
}

async function settle(telemetry: Telemetry, check: () => Promise<VerifyOutcome>): Promise<VerifyOutcome> {
  try {
    return await check()
  } catch (error) {
    return failureOf(error, telemetry)
  }
}
