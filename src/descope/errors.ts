/**
 * @module
 * What can go wrong when calling Descope, as one error class with a discriminating `kind`.
 * Routes map kinds to the browser API's codes; nothing here carries Descope's message text
 * to the browser.
 */

type DescopeErrorKind =
  /** Descope answered 4xx (other than 429) in its error shape: the request was refused. */
  | 'rejected'
  /** Descope answered 429; `retryAfterSeconds` says when to come back. */
  | 'rate_limited'
  /** Descope answered 5xx. */
  | 'unavailable'
  /** The answer was not what the contract promises: not JSON, a redirect, a cookie, a bad shape. */
  | 'protocol'
  /** No answer within the configured timeout. */
  | 'timeout'
  /** The connection failed. */
  | 'network'

export class DescopeError extends Error {
  override readonly name = 'DescopeError'

  constructor(
    readonly kind: DescopeErrorKind,
    message: string,
    readonly details: {
      /** The upstream path, for logs. */
      path: string
      status?: number
      /** Descope's `errorCode`, e.g. `E062108`; safe to log, never sent to the browser. */
      errorCode?: string
      retryAfterSeconds?: number
      cause?: unknown
    }
  ) {
    super(message, { cause: details.cause })
  }

  get status(): number | undefined {
    return this.details.status
  }

  get errorCode(): string | undefined {
    return this.details.errorCode
  }
}
