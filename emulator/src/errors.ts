/**
 * @module
 * Descope-shaped errors: every failure is JSON `{errorCode, errorDescription, errorMessage}`
 * (docs/descope-contract.md §5), because the SDKs throw on anything else. Never 503/52x here: the
 * SDKs retry those, re-sending finish calls.
 */

/** An error the emulator answers with, as Descope would. */
export class ApiError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 405 | 413 | 429 | 500,
    readonly code: string,
    readonly description: string,
    message: string
  ) {
    super(message)
    this.name = 'ApiError'
  }

  toResponse(): Response {
    return errorResponse(this.status, this.code, this.description, this.message)
  }
}

/** A Descope-shaped JSON error response. */
export function errorResponse(status: number, code: string, description: string, message: string, headers?: HeadersInit): Response {
  return Response.json({ errorCode: code, errorDescription: description, errorMessage: message }, { status, headers })
}

/** E011001: the body is not a JSON object. */
export const malformed = (message = 'Request is malformed') => new ApiError(400, 'E011001', 'Bad request', message)

/** E011002: a required argument is absent or empty. */
export const missingArgument = (name: string) => new ApiError(400, 'E011002', 'Missing arguments', `The ${name} argument is missing`)

/**
 * E011003: the request is well formed but refused (bad origin, unknown/expired/used
 * transaction, failed WebAuthn verification). Descope's specific codes for these are unknown.
 */
export const invalidRequest = (message: string) => new ApiError(400, 'E011003', 'Request is invalid', message)

/** E062107: sign-up of a login ID that already has a user. */
export const userExists = () => new ApiError(400, 'E062107', 'User already exists', 'User already exists')

/** E062108: sign-in of a login ID without a user. */
export const userNotFound = () => new ApiError(400, 'E062108', 'User not found', 'Cannot find user')

/** E061005: a missing, malformed, badly signed, expired or foreign refresh JWT. */
export const unauthorized = (message: string) => new ApiError(401, 'E061005', 'Invalid token', message)

/** E064001: a refresh JWT whose session was logged out. */
export const revoked = () => new ApiError(401, 'E064001', 'Token expired', 'Token expired because user logged out')

/** Unknown path (JSON, never HTML: the SDKs throw on non-JSON bodies). */
export const notFound = (path: string) => new ApiError(404, 'E011001', 'Bad request', `No such route: ${path.slice(0, 100)}`)
