/**
 * @module
 * Descope returns WebAuthn options as a JSON *string* (descope-contract.md §4); the browser gets
 * the parsed object, ready for `PublicKeyCredential.parseCreationOptionsFromJSON(options.publicKey)`.
 */
import { AppError } from '../errors'

/** Parses Descope's options string; anything but an object with a `publicKey` object is a 502. */
export function parseOptions(options: string): Record<string, unknown> {
  let parsed: unknown
  try {
    parsed = JSON.parse(options)
  } catch {
    throw badOptions()
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw badOptions()
  const publicKey = (parsed as Record<string, unknown>).publicKey
  if (typeof publicKey !== 'object' || publicKey === null || Array.isArray(publicKey)) throw badOptions()
  return parsed as Record<string, unknown>
}

function badOptions(): AppError {
  console.warn(JSON.stringify({ event: 'upstream_error', kind: 'protocol', reason: 'options' }))
  return new AppError('upstream_error', 502, 'The identity provider failed; try again later.')
}
