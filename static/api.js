/**
 * @module
 * The page's only way to reach the edge: same-origin JSON calls with fixed paths. Errors become
 * an `ApiError` carrying the edge's stable `code` and human `message` (never the raw body).
 */

/** An answer from the edge that was not a success. */
export class ApiError extends Error {
  /**
   * @param {string} code stable snake_case code from `{"error": {"code"}}`
   * @param {string} message a sentence meant for people
   * @param {number} status the HTTP status (0 when the edge could not be reached)
   * @param {Headers} [headers] response headers, for `WWW-Authenticate` and `Retry-After`
   */
  constructor(code, message, status, headers = new Headers()) {
    super(message)
    this.name = 'ApiError'
    this.code = code
    this.status = status
    this.headers = headers
  }
}

/**
 * POSTs a JSON body (`{}` when there is none) and returns the JSON answer.
 * @param {string} path a fixed same-origin path, e.g. `/auth/passkey/signin/start`
 * @param {object} [body]
 */
export function post(path, body = {}) {
  return call(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body),
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
  const code = typeof error?.code === 'string' ? error.code : 'unexpected_response'
  let message =
    typeof error?.message === 'string' && error.message.length > 0
      ? error.message
      : `The server answered unexpectedly (HTTP ${response.status}).`
  const retryAfter = Number(response.headers.get('Retry-After'))
  if (response.status === 429 && Number.isFinite(retryAfter) && retryAfter > 0) {
    message += ` Try again in ${Math.ceil(retryAfter)} s.`
  }
  return new ApiError(code, message, response.status, response.headers)
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
