/**
 * @module
 * Descope returns WebAuthn options as a JSON *string* (docs/descope-contract.md §4); the browser gets
 * the parsed object, ready for `PublicKeyCredential.parseCreationOptionsFromJSON(options.publicKey)`.
 */
import { AppError } from '../errors'
import { isRecord } from '../lib/is-record'

/** Parses Descope's options string; anything but an object with a `publicKey` object is a 502. */
export function parseOptions(options: string): Record<string, unknown> {
  let parsed: unknown
  try {
    parsed = JSON.parse(options)
  } catch {
    throw badOptions()
  }
  if (!isRecord(parsed) || !isRecord(parsed.publicKey)) throw badOptions()
  return parsed
}

function badOptions(): AppError {
  console.warn(JSON.stringify({ event: 'upstream_error', kind: 'protocol', reason: 'options' }))
  return new AppError('upstream_error')
}
