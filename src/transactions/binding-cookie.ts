/**
 * @module
 * The cookie that binds a pending transaction to the browser that started it.
 *
 * One cookie per transaction (`__Host-ptx-<tag>`, the tag derived from the transaction ID), so
 * two ceremonies running at once in one browser (two tabs, or sign-in then add-device) never
 * overwrite each other's secret. `__Host-` means Secure, Path=/ and no Domain: a sibling
 * subdomain cannot plant or overwrite it. Each cookie lives as long as its transaction.
 */
import type { Context } from 'hono'
import { readCookie, strictCookie } from '../lib/cookie.ts'
import { sha256Hex } from '../lib/crypto.ts'

const BINDING_COOKIE_PREFIX = '__Host-ptx-'
/** Hex digits of the transaction ID's hash in the cookie name: 64 bits tell transactions apart. */
const NAME_TAG_LENGTH = 16

/** The binding cookie's name for a transaction ID. */
async function bindingCookieName(transactionId: string): Promise<string> {
  return BINDING_COOKIE_PREFIX + (await sha256Hex(`ptx-cookie:${transactionId}`)).slice(0, NAME_TAG_LENGTH)
}

/** Gives the browser the transaction's secret. */
export async function setBindingCookie(c: Context, transactionId: string, secret: string, maxAgeSeconds: number): Promise<void> {
  c.header('Set-Cookie', strictCookie(await bindingCookieName(transactionId), secret, maxAgeSeconds), { append: true })
}

/** The secret the browser holds for this transaction, if any. */
export async function readBindingCookie(c: Context, transactionId: string): Promise<string | undefined> {
  const [value, ...others] = readCookie(c.req.header('Cookie') ?? null, await bindingCookieName(transactionId))
  // A `__Host-` cookie cannot be planted by a sibling host: two of them is no browser of ours.
  return others.length === 0 ? value : undefined
}

/** Expires the transaction's cookie: a finished (or failed) ceremony leaves nothing behind. */
export async function clearBindingCookie(c: Context, transactionId: string): Promise<void> {
  c.header('Set-Cookie', strictCookie(await bindingCookieName(transactionId), '', 0), { append: true })
}
