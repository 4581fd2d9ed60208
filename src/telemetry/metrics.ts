/**
 * @module
 * What the Worker counts, each as one Workers Analytics Engine data point, in the positional
 * layout docs/operations.md queries. The metric is also the sampling index, so a flood of one kind
 * never samples away another; every value is a code, a name or a number, never a secret.
 */

/** Each metric's blobs after the request ID, in order. */
export interface Metrics {
  /** A passkey finish answered (any flow), successful or not. */
  passkey_finish: [flow: string, outcome: string]
  /** A presented session (or refresh) token refused, or no signing keys to check it. */
  session_rejected: [reason: string, source: string]
  /** The edge's own rate limiter refused a start or a finish (Descope's 429s are `upstream_error`s). */
  rate_limited: [bucket: 'ip' | 'login_id' | 'recovery', route: string]
  /** A call to Descope failed, or Descope answered something the edge refused; double1 is the status. */
  upstream_error: [step: string, kind: string, errorCode?: string]
  /** One fetch of the signing keys from Descope (not the shared cache); double1 is its duration. */
  keyset_fetch: [result: 'ok' | 'failed', reason?: string]
  /** A recovery link sent (or refused by Descope: `not_sent`), or one that signed a user in. */
  recovery: [step: 'start' | 'finish', outcome: 'sent' | 'not_sent' | 'ok']
  /** Descope issued a session token too large for a cookie; double1 is its length. */
  large_session: [step: 'finish' | 'session']
}

export type Metric = keyof Metrics

/** The data point of one metric for one request. */
export function dataPoint<M extends Metric>(metric: M, requestId: string, blobs: Metrics[M], value?: number): AnalyticsEngineDataPoint {
  return {
    indexes: [metric],
    blobs: [requestId, ...blobs.map((blob) => blob ?? '')],
    doubles: value === undefined ? [] : [value],
  }
}
