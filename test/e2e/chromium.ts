/**
 * @module
 * Chromium's launch arguments, shared with `npm run smoke` (scripts/lib/chromium.mjs), and the
 * client each test file plays.
 */
import { createHash } from 'node:crypto'

export { CHROMIUM_ARGS } from '../../scripts/lib/chromium.mjs'

/**
 * A browser context's options for the test file at `fileUrl`: its own client IP. The dev stack
 * limits requests per client IP (docs/threat-model.md, T58), and every test file is a different
 * person, as in production, rather than all of them one loopback address sharing one budget.
 * `wrangler dev` takes `CF-Connecting-IP` from the request, as Cloudflare's edge would set it.
 */
export function clientOf(fileUrl: string): { extraHTTPHeaders: Record<string, string> } {
  const octet = createHash('sha256').update(fileUrl).digest()[0] ?? 0
  return { extraHTTPHeaders: { 'CF-Connecting-IP': `198.51.100.${octet}` } }
}
