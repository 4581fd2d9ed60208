/**
 * @module
 * Descope returns WebAuthn options as a JSON *string* (docs/descope-contract.md §4); the browser gets
 * the parsed object, ready for `PublicKeyCredential.parseCreationOptionsFromJSON(options.publicKey)`.
 */
import { AppError } from '../errors.ts'
import { isRecord } from '../lib/is-record.ts'
import type { Telemetry } from '../telemetry/telemetry.ts'

/** Parses Descope's options string; anything but an object with a `publicKey` object is a 502. */
export function parseOptions(options: string, telemetry: Telemetry): Record<string, unknown> {
  let parsed: unknown
  try {
    parsed = JSON.parse(options)
  } catch {
    throw badOptions(telemetry)
  }
  if (!isRecord(parsed) || !isRecord(parsed.publicKey)) throw badOptions(telemetry)
  return parsed
}

/**
 * The ceremony's lifetime in seconds, from the options' WebAuthn `timeout` (milliseconds): Descope
 * sets it from its transaction lifetime, which the edge's record must not outlive. `undefined`
 * when absent or not a positive number.
 */
export function ceremonySeconds(options: Record<string, unknown>): number | undefined {
  const timeout = isRecord(options.publicKey) ? options.publicKey.timeout : undefined
  return typeof timeout === 'number' && Number.isFinite(timeout) && timeout >= 1000 ? Math.floor(timeout / 1000) : undefined
}

function badOptions(telemetry: Telemetry): AppError {
  telemetry.log('warn', 'upstream_error', { step: 'start', kind: 'protocol', reason: 'options' })
  telemetry.count('upstream_error', ['start', 'protocol'])
  return new AppError('upstream_error')
}
