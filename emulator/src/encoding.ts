/**
 * @module
 * base64url and random identifiers, without Buffer (workerd).
 */

/** Unpadded base64url of bytes or a UTF-8 string. */
export function base64url(input: Uint8Array | string): string {
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** Decodes base64url or base64, padded or not. */
export function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  const normal = text.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '')
  const binary = atob(normal + '='.repeat((4 - (normal.length % 4)) % 4))
  return Uint8Array.from(binary, (char) => char.charCodeAt(0))
}

/** Rewrites base64 / padded base64url as unpadded base64url (clients differ; docs/descope-contract.md §4). */
export function normalizeBase64url(text: string): string {
  return text.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/** `length` random alphanumerics (user IDs, key IDs look like Descope's: `U2…`, `SK…`). */
export function randomId(length: number): string {
  // 62 does not divide 256; the bias is irrelevant for identifiers in an emulator.
  return Array.from(crypto.getRandomValues(new Uint8Array(length)), (byte) => ALPHANUMERIC[byte % 62]).join('')
}

/** `bytes` random bytes as base64url (challenges, transaction IDs). */
export function randomToken(bytes = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)))
}
