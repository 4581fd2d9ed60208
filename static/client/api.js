/**
 * @module
 * The client's only way to reach the edge: same-origin JSON calls with fixed paths. Errors become
 * an `ApiError` carrying the edge's stable `code` (never the raw body).
 */

/**
 * The edge's stable error codes (static/openapi.json, `ErrorBody`; a test keeps the two equal),
 * and the client's own two: `network_error` (no answer) and `unexpected_response` (not the edge's
 * JSON).
 * @typedef {'invalid_request' | 'invalid_transaction' | 'transaction_expired' | 'invalid_login_id' | 'invalid_recovery_link'
 *   | 'authentication_failed' | 'unauthorized' | 'insufficient_user_authentication' | 'forbidden' | 'origin_not_allowed' | 'not_found'
 *   | 'method_not_allowed' | 'payload_too_large' | 'unsupported_media_type' | 'rate_limited'
 *   | 'upstream_error' | 'unavailable' | 'upstream_timeout' | 'configuration_error' | 'internal_error'
 *   | 'network_error' | 'unexpected_response'} ErrorCode
 */

/** An answer from the edge that was not a success. Word it by `code` (the page: messages.js). */
export class ApiError extends Error {
  /**
   * @param {ErrorCode} code stable snake_case code from `{"error": {"code"}}`
   * @param {string} message the server's sentence, for developers (the page does not show it)
   * @param {number} status the HTTP status (0 when the edge could not be reached)
   * @param {Headers} [headers] response headers, for `WWW-Authenticate`
   * @param {string} [requestId] the edge's ID of the request, for a person to quote
   */
  constructor(code, message, status, headers = new Headers(), requestId = undefined) {
    super(message)
    this.name = 'ApiError'
    this.code = code
    this.status = status
    this.headers = headers
    this.requestId = requestId
    const retryAfter = Number(headers.get('Retry-After'))
    /** Seconds to wait (`Retry-After`), when the server said. */
    this.retryAfter = Number.isFinite(retryAfter) && retryAfter > 0 ? Math.ceil(retryAfter) : undefined
  }
}

/**
 * POSTs a JSON body (`{}` when there is none) and returns the JSON answer.
 * @param {string} path a fixed same-origin path, e.g. `/auth/passkey/signin/start`
 * @param {object} [body]
 * @param {AbortSignal} [signal] cancels the call (it then fails as `network_error`)
 */
export function post(path, body = {}, signal = undefined) {
  return call(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body),
    signal,
  })
}

/**
 * GETs a JSON answer.
 * @param {string} path a fixed same-origin path, e.g. `/auth/session`
 */
export function get(path) {
  return call(path, { method: 'GET', headers: { Accept: 'application/json' } })
}

async function call(path, init) {
  // Paths are constants of this page: nothing from the URL, the referrer or a message reaches here.
  let response
  try {
    response = await fetch(path, { ...init, credentials: 'same-origin', cache: 'no-store', redirect: 'error' })
  } catch {
    throw new ApiError('network_error', 'The server could not be reached. Check your connection and try again.', 0)
  }
  const body = await response.json().catch(() => undefined)
  if (response.ok && body !== undefined) return body
  throw errorFrom(response, body)
}

function errorFrom(response, body) {
  const error = typeof body === 'object' && body !== null ? body.error : undefined
  /** @type {ErrorCode} */
  const code = typeof error?.code === 'string' ? error.code : 'unexpected_response'
  const message = typeof error?.message === 'string' ? error.message : `HTTP ${response.status}`
  // A Ray ID or a UUID: anything else is not shown.
  const requestId = typeof error?.requestId === 'string' && /^[\w-]{1,64}$/.test(error.requestId) ? error.requestId : undefined
  return new ApiError(code, message, response.status, response.headers, requestId)
}

/**
 * True when a 401 is the RFC 9470 step-up challenge: the session is fine but too old or too weak.
 * @param {unknown} error
 */
export function needsStepUp(error) {
  if (!(error instanceof ApiError) || error.status !== 401) return false
  const challenge = error.headers.get('WWW-Authenticate') ?? ''
  return /error\s*=\s*"?insufficient_user_authentication"?/i.test(challenge)
}
