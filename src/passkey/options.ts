/**
 * @module
 * Descope returns WebAuthn options as a JSON *string* (docs/descope-contract.md §4); the browser gets
 * the parsed object, ready for `PublicKeyCredential.parseCreationOptionsFromJSON(options.publicKey)`.
 */
import { AppError } from '../errors'
import { isRecord } from '../lib/is-record'
import type { Telemetry } from '../telemetry/telemetry'

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

function badOptions(telemetry: Telemetry): AppError {
  telemetry.log('warn', 'upstream_error', { step: 'start', kind: 'protocol', reason: 'options' })
  telemetry.count('upstream_error', ['start', 'protocol'])
  return new AppError('upstream_error')
}
