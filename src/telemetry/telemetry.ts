/**
 * @module
 * One request's telemetry: its ID, its log lines and its data points. Made once per request, on
 * first use (`getTelemetry(c)` for HTTP, `new Telemetry(...)` for an RPC call), and cheap to make:
 * the ID is only worked out when a line, a data point or an error body needs it.
 *
 * It is also what the request lends to a key-set load it triggers (`LoadScope`): its `waitUntil`,
 * and an ear for how the fetch went.
 */
import type { KeySetFetch } from './key-set-fetch.ts'
import { type LogFields, type LogLevel, writeLog } from './log.ts'
import { dataPoint, type Metric, type Metrics } from './metrics.ts'
import { requestIdFrom } from './request-id.ts'

export class Telemetry {
  private id: string | undefined

  /**
   * @param metrics the Analytics Engine binding; absent → no data points, and no error.
   * @param ctx the invocation's execution context, when there is one.
   * @param headers the request's headers, for its `cf-ray`; absent for RPC calls.
   */
  constructor(
    private readonly metrics: AnalyticsEngineDataset | undefined,
    private readonly ctx: ExecutionContext | undefined,
    private readonly headers?: Headers
  ) {}

  /** The request ID (request-id.ts), the same for every line and body of this request. */
  get requestId(): string {
    this.id ??= requestIdFrom(this.headers?.get('cf-ray'))
    return this.id
  }

  log(level: LogLevel, event: string, fields?: LogFields): void {
    writeLog(level, this.requestId, event, fields)
  }

  /** Writes the metric's data point (metrics.ts), if the binding is there. */
  count<M extends Metric>(metric: M, blobs: Metrics[M], value?: number): void {
    if (!this.metrics) return
    try {
      this.metrics.writeDataPoint(dataPoint(metric, this.requestId, blobs, value))
    } catch {
      // A write-only sink: losing a data point must never fail the request.
    }
  }

  waitUntil(promise: Promise<unknown>): void {
    this.ctx?.waitUntil(promise)
  }

  keySetFetched({ ok, reason, durationMs, haveKeys }: KeySetFetch): void {
    this.count('keyset_fetch', [ok ? 'ok' : 'failed', reason], durationMs)
    if (!ok) this.log('warn', 'jwks_fetch_failed', { reason, haveKeys, durationMs })
  }
}
