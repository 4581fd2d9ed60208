/**
 * @module
 * Bytes as unpadded base64url (RFC 4648 §5), the alphabet of WebAuthn and JOSE.
 */

/** Bytes as unpadded base64url. */
export function toBase64Url(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}
