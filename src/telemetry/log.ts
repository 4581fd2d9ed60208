/**
 * @module
 * The one way the Worker writes a log line: a JSON object with the event's name, the request ID
 * and allow-listed fields (Workers Logs indexes each field). Fields are codes, reasons, names and
 * numbers chosen by the caller; never a token, cookie, login ID, transaction ID or secret.
 * docs/operations.md lists every event.
 */

export type LogLevel = 'info' | 'warn' | 'error'

/** What a line may carry besides its event and request ID: plain values only. */
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>

/** Writes `{"event", "requestId", ...fields}` at `level`. */
export function writeLog(level: LogLevel, requestId: string, event: string, fields?: LogFields): void {
  console[level](JSON.stringify({ event, requestId, ...fields }))
}
