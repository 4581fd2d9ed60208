/**
 * @module
 * Random opaque values and SHA-256 digests. The browser only ever holds random values; the
 * edge stores and compares their digests, so a dump of its storage reveals none of them.
 */
import { toBase64Url } from './base64url.ts'

/** 32 random bytes as base64url (43 characters). */
export function randomToken(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(32)))
}

/** SHA-256 of a UTF-8 string. */
export async function sha256(value: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(value)))
}

/** SHA-256 of a UTF-8 string, as lowercase hex. */
export async function sha256Hex(value: string): Promise<string> {
  return hex(await sha256(value))
}

/** HMAC-SHA-256 of a UTF-8 string, as lowercase hex. */
export async function hmacHex(key: CryptoKey, value: string): Promise<string> {
  return hex(new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(value))))
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')
}

/** Compares two strings of hex digests without an early exit, so timing reveals nothing. */
export function equalDigests(a: string, b: string): boolean {
  if (a.length !== b.length) return false
  let difference = 0
  for (let index = 0; index < a.length; index++) difference |= a.charCodeAt(index) ^ b.charCodeAt(index)
  return difference === 0
}
