/**
 * @module
 * The only code that knows Descope's paths, headers and payloads (docs/descope-contract.md §2–§3).
 * Every call has a timeout, refuses redirects, caps the bytes it reads, and turns every failure
 * into a `DescopeError`. Calls that would be unsafe to repeat (finish, refresh, logout) are never
 * retried. Tokens come from the JSON body or, for projects that send them as cookies, from
 * `Set-Cookie` (read, never forwarded; every other cookie is ignored).
 */
import { readCapped } from '../lib/capped-read.ts'
import { isRecord } from '../lib/is-record.ts'
import { isTimeout } from '../lib/timeout.ts'
import { withoutEmptyFields } from './empty-fields.ts'
import { DescopeError } from './errors.ts'
import type { DescopeUser, JwtResponse, LoginOptions, StartResponse, UserDetails, VerifiedRefreshToken } from './types.ts'

interface DescopeClientOptions {
  /** API base without trailing slash, e.g. `https://api.descope.com` or the emulator's URL. */
  baseUrl: string
  projectId: string
  /** Timeout of each attempt (milliseconds). */
  timeoutMs: number
  /** Injected for tests and fault injection; defaults to the global `fetch`. */
  fetch?: typeof fetch
}

/** Descope's answers are small; anything bigger is not Descope. */
export const MAX_RESPONSE_BYTES = 256 * 1024
/** Pause before the single retry of a safe call (milliseconds). */
const RETRY_DELAY_MS = 100
const RETRYABLE_STATUSES = new Set([502, 503, 504])
/** `Retry-After` passed on when Descope's 429 has none (or an unreadable one), in seconds. */
export const DEFAULT_RETRY_AFTER_SECONDS = 1
/** The longest `Retry-After` passed on, in seconds: a client is not told to wait for hours. */
const MAX_RETRY_AFTER_SECONDS = 3600
/** Longest Descope transaction ID accepted (they are a few dozen characters). */
const MAX_TRANSACTION_ID_LENGTH = 1024
/** Descope's error codes look like `E062108`; anything longer is cut before it is logged. */
const MAX_ERROR_CODE_LENGTH = 32

interface CallOptions {
  body?: Record<string, unknown>
  /** Sent as `Bearer <projectId>:<refreshJwt>`. */
  refreshJwt?: VerifiedRefreshToken
  /** Safe to send twice: start calls and reads. */
  retry?: boolean
}

export type DescopeClient = ReturnType<typeof createDescopeClient>

export function createDescopeClient(options: DescopeClientOptions) {
  const { baseUrl, projectId, timeoutMs } = options
  const fetcher = options.fetch ?? ((input, init) => fetch(input, init))

  /** One call, retried once when `retry` allows it; `shape` checks the answer (it names `path` in its errors). */
  async function call<T = Record<string, unknown>>(
    method: 'GET' | 'POST',
    path: string,
    callOptions: CallOptions = {},
    shape: (data: Record<string, unknown>, path: string) => T = (data) => data as T
  ): Promise<T> {
    let data: Record<string, unknown>
    try {
      data = await attempt(method, path, callOptions)
    } catch (error) {
      if (!callOptions.retry || !isTransient(error)) throw error
      await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS))
      data = await attempt(method, path, callOptions)
    }
    return shape(data, path)
  }

  async function attempt(method: 'GET' | 'POST', path: string, { body, refreshJwt }: CallOptions): Promise<Record<string, unknown>> {
    const headers: Record<string, string> = {
      Accept: 'application/json',
      Authorization: `Bearer ${refreshJwt ? `${projectId}:${refreshJwt}` : projectId}`,
      'x-descope-project-id': projectId,
      'x-descope-sdk-name': 'passkey-edge',
    }
    if (body) headers['Content-Type'] = 'application/json'
    let response: Response
    try {
      response = await fetcher(`${baseUrl}${path}`, {
        method,
        headers,
        body: body ? JSON.stringify(body) : undefined,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      })
    } catch (error) {
      const timedOut = isTimeout(error)
      throw new DescopeError(timedOut ? 'timeout' : 'network', timedOut ? 'Descope did not answer in time' : 'Descope could not be reached', {
        path,
        cause: error,
      })
    }
    return readAnswer(path, response)
  }

  return {
    /** `POST /v1/auth/webauthn/signup/start`: a new user and its first passkey. */
    signUpStart(input: { loginId: string; origin: string; user?: UserDetails; loginOptions?: LoginOptions }) {
      const { loginId, origin, user, loginOptions } = input
      // core-js sends `user.loginId`, Go a top-level `loginId`; send both, Descope reads either.
      const body = { loginId, user: { loginId, ...user }, origin, loginOptions }
      return call('POST', '/v1/auth/webauthn/signup/start', { body, retry: true }, asStart)
    },
    /** `POST /v1/auth/webauthn/signin/start`; with `refreshJwt` for step-up and MFA. */
    signInStart(input: { loginId: string; origin: string; loginOptions?: LoginOptions; refreshJwt?: VerifiedRefreshToken }) {
      const { loginId, origin, loginOptions, refreshJwt } = input
      return call('POST', '/v1/auth/webauthn/signin/start', { body: { loginId, origin, loginOptions }, refreshJwt, retry: true }, asStart)
    },
    /** `POST /v1/auth/webauthn/signup-in/start`: `create` says which finish comes next. */
    signUpOrInStart(input: { loginId: string; origin: string; loginOptions?: LoginOptions }) {
      return call('POST', '/v1/auth/webauthn/signup-in/start', { body: { ...input }, retry: true }, asStart)
    },
    /** `POST /v1/auth/webauthn/update/start`: add a passkey to the signed-in user. */
    updateStart(input: { loginId: string; origin: string; refreshJwt: VerifiedRefreshToken }) {
      const { loginId, origin, refreshJwt } = input
      return call('POST', '/v1/auth/webauthn/update/start', { body: { loginId, origin }, refreshJwt, retry: true }, asStart)
    },
    signUpFinish(input: { transactionId: string; response: string }) {
      return call('POST', '/v1/auth/webauthn/signup/finish', { body: { ...input } }, asJwtResponse)
    },
    signInFinish(input: { transactionId: string; response: string }) {
      return call('POST', '/v1/auth/webauthn/signin/finish', { body: { ...input } }, asJwtResponse)
    },
    /** Enrols the passkey; Descope answers `{}` (or `{jwt}` after an MFA start, ignored here). */
    async updateFinish(input: { transactionId: string; response: string }): Promise<void> {
      await call('POST', '/v1/auth/webauthn/update/finish', { body: { ...input } })
    },
    refresh(refreshJwt: VerifiedRefreshToken) {
      return call('POST', '/v1/auth/refresh', { body: {}, refreshJwt }, asJwtResponse)
    },
    async logout(refreshJwt: VerifiedRefreshToken): Promise<void> {
      await call('POST', '/v1/auth/logout', { body: {}, refreshJwt })
    },
    /** Revokes every refresh session of the token's user, on every device. */
    async logoutAll(refreshJwt: VerifiedRefreshToken): Promise<void> {
      await call('POST', '/v1/auth/logoutall', { body: {}, refreshJwt })
    },
    /** `POST /v1/auth/magiclink/signin/email`: Descope emails the user a link, `URI?t=<token>`. */
    async magicLinkSignIn(input: { loginId: string; URI: string }): Promise<void> {
      await call('POST', '/v1/auth/magiclink/signin/email', { body: { ...input, loginOptions: {} } })
    },
    /** `POST /v1/auth/magiclink/verify`: the link's token for a session (once). */
    magicLinkVerify(token: string) {
      return call('POST', '/v1/auth/magiclink/verify', { body: { token } }, asJwtResponse)
    },
    me(refreshJwt: VerifiedRefreshToken) {
      return call('GET', '/v1/auth/me', { refreshJwt, retry: true }, asUser)
    },
    /**
     * The project's public signing keys, `GET /v2/keys/<projectId>`: the JSON object as answered.
     * Its members are checked where they are used, by the key store (src/keys/key-store.ts).
     */
    keys() {
      return call('GET', `/v2/keys/${encodeURIComponent(projectId)}`, { retry: true })
    },
  }
}

async function readAnswer(path: string, response: Response): Promise<Record<string, unknown>> {
  const status = response.status
  if (status >= 300 && status < 400) {
    await response.body?.cancel()
    throw new DescopeError('protocol', 'Descope answered with a redirect', { path, status })
  }
  const text = await readText(response, path)
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch {
    data = undefined
  }
  if (status === 429) {
    throw new DescopeError('rate_limited', 'Descope is rate limiting', {
      path,
      status,
      errorCode: readErrorCode(data),
      retryAfterSeconds: parseRetryAfter(response.headers.get('Retry-After')),
    })
  }
  if (status >= 500) throw new DescopeError('unavailable', 'Descope failed', { path, status, errorCode: readErrorCode(data) })
  if (status >= 400) {
    if (!isRecord(data)) throw new DescopeError('protocol', 'Descope refused without an error body', { path, status })
    throw new DescopeError('rejected', 'Descope refused the request', { path, status, errorCode: readErrorCode(data) })
  }
  // Update/finish and logout may answer with nothing at all: that is an empty object.
  if ((status === 200 || status === 204) && !text.trim()) data = {}
  if ((status !== 200 && status !== 204) || !isRecord(data)) throw protocolError(path, 'is not a JSON object', status)
  return withCookieTokens(response.headers, withoutEmptyFields(data))
}

/**
 * Tokens of a project that "manages them in cookies" (settings `session_token_response_method`,
 * `refresh_token_response_method`): absent (or empty) in the body, they come as `Set-Cookie: DS=…` /
 * `DSR=…` (or the names the answer gives). The body wins when it has them, as in node-sdk; any
 * other cookie (an infrastructure one, on any answer) is ignored.
 */
function withCookieTokens(headers: Headers, data: Record<string, unknown>): Record<string, unknown> {
  const names = new Map([
    [typeof data.sessionCookieName === 'string' ? data.sessionCookieName : 'DS', 'sessionJwt'],
    [typeof data.cookieName === 'string' ? data.cookieName : 'DSR', 'refreshJwt'],
  ])
  for (const line of headers.getSetCookie()) {
    const pair = line.split(';', 1)[0] ?? ''
    const equals = pair.indexOf('=')
    const field = equals > 0 ? names.get(pair.slice(0, equals).trim()) : undefined
    const value = pair.slice(equals + 1).trim()
    // An empty value is Descope clearing the cookie (logout): no token.
    if (field && value && data[field] === undefined) data[field] = value
  }
  return data
}

/** The answer's text, read up to `MAX_RESPONSE_BYTES` (whatever its `Content-Length` says). */
async function readText(response: Response, path: string): Promise<string> {
  let bytes: Uint8Array | undefined
  try {
    bytes = await readCapped(response.body, MAX_RESPONSE_BYTES)
  } catch (error) {
    throw new DescopeError(isTimeout(error) ? 'timeout' : 'network', 'Descope stopped answering', { path, cause: error })
  }
  if (!bytes) throw protocolError(path, 'is too large', response.status)
  return new TextDecoder().decode(bytes)
}

function asStart(data: Record<string, unknown>, path: string): StartResponse {
  const { transactionId, options, create } = data
  if (typeof transactionId !== 'string' || !transactionId || transactionId.length > MAX_TRANSACTION_ID_LENGTH) {
    throw protocolError(path, 'has no transactionId')
  }
  if (typeof options !== 'string' || !options) throw protocolError(path, 'has no options string')
  return { transactionId, options, create: create === true }
}

function asJwtResponse(data: Record<string, unknown>, path: string): JwtResponse {
  if (typeof data.sessionJwt !== 'string' || !data.sessionJwt) throw protocolError(path, 'has no sessionJwt')
  if (data.refreshJwt !== undefined && typeof data.refreshJwt !== 'string') throw protocolError(path, 'has a malformed refreshJwt')
  if (data.user !== undefined && !isUser(data.user)) throw protocolError(path, 'has a malformed user')
  return data as unknown as JwtResponse
}

function asUser(data: Record<string, unknown>, path: string): DescopeUser {
  if (!isUser(data)) throw protocolError(path, 'is not a user')
  return data
}

function isUser(value: unknown): value is DescopeUser {
  return isRecord(value) && typeof value.userId === 'string' && Array.isArray(value.loginIds)
}

function readErrorCode(data: unknown): string | undefined {
  return isRecord(data) && typeof data.errorCode === 'string' ? data.errorCode.slice(0, MAX_ERROR_CODE_LENGTH) : undefined
}

/** `Retry-After` as seconds (RFC 9110 §10.2.3: seconds or an HTTP date), capped; the default when absent or odd. */
function parseRetryAfter(header: string | null): number {
  if (!header) return DEFAULT_RETRY_AFTER_SECONDS
  const seconds = Number(header)
  if (Number.isInteger(seconds) && seconds >= 0) return Math.min(seconds, MAX_RETRY_AFTER_SECONDS)
  const date = Date.parse(header)
  if (Number.isNaN(date)) return DEFAULT_RETRY_AFTER_SECONDS
  return Math.min(Math.max(Math.ceil((date - Date.now()) / 1000), 0), MAX_RETRY_AFTER_SECONDS)
}

function isTransient(error: unknown): boolean {
  if (!(error instanceof DescopeError)) return false
  return error.kind === 'network' || (error.kind === 'unavailable' && RETRYABLE_STATUSES.has(error.status ?? 0))
}

function protocolError(path: string, what: string, status?: number): DescopeError {
  return new DescopeError('protocol', `Descope's answer ${what}`, { path, status })
}
