/**
 * @module
 * Readiness of the passkey domain: the RP ID Descope puts in its options ("Top Level Domain" in
 * the project's passkey settings) must be each allowed origin's host or a parent domain of it,
 * or the browser refuses every ceremony. A usernameless sign-in start (`loginId: ""`, what
 * Descope's own web component sends) creates nothing at Descope and carries `rpId`, so it is
 * what is asked. A verdict is kept per origin for a few minutes, so probes do not load Descope.
 */
import type { DescopeClient } from '../descope/client.ts'
import { isRecord } from '../lib/is-record.ts'
import { clockCache } from '../lib/clock-cache.ts'
import type { Telemetry } from '../telemetry/telemetry.ts'

/** `ok`, `mismatch` (passkeys cannot work), or `unknown` (Descope did not say: not a readiness failure). */
export type PasskeyDomainCheck = 'ok' | 'mismatch' | 'unknown'

/** How long a verdict is reused (milliseconds). */
const VERDICT_TTL_MS = 5 * 60_000
const verdicts = clockCache<string, { verdict: 'ok' | 'mismatch'; at: number }>(64)

/** The RP ID's verdict over every allowed origin: `mismatch` when any origin's is. */
export async function checkPasskeyDomain(
  descope: DescopeClient,
  cacheKey: string,
  origins: Iterable<string>,
  telemetry: Pick<Telemetry, 'log'>,
  now = Date.now()
): Promise<PasskeyDomainCheck> {
  const results = await Promise.all([...origins].map((origin) => checkOrigin(descope, `${cacheKey}|${origin}`, origin, telemetry, now)))
  if (results.includes('mismatch')) return 'mismatch'
  return results.includes('unknown') ? 'unknown' : 'ok'
}

async function checkOrigin(descope: DescopeClient, key: string, origin: string, telemetry: Pick<Telemetry, 'log'>, now: number): Promise<PasskeyDomainCheck> {
  const known = verdicts.get(key)
  if (known && now - known.at < VERDICT_TTL_MS) return known.verdict
  let rpId: unknown
  try {
    const start = await descope.signInStart({ loginId: '', origin })
    const options: unknown = JSON.parse(start.options)
    rpId = isRecord(options) && isRecord(options.publicKey) ? options.publicKey.rpId : undefined
  } catch {
    return 'unknown'
  }
  if (typeof rpId !== 'string' || !rpId) return 'unknown'
  const verdict = rpIdCovers(rpId, new URL(origin).hostname) ? 'ok' : 'mismatch'
  if (verdict === 'mismatch') telemetry.log('error', 'passkey_domain_mismatch', { origin, rpId: rpId.slice(0, 253) })
  verdicts.set(key, { verdict, at: now })
  return verdict
}

/** WebAuthn's rule: the RP ID is the origin's host or a registrable parent domain of it. */
export function rpIdCovers(rpId: string, host: string): boolean {
  const id = rpId.toLowerCase()
  return host === id || host.endsWith(`.${id}`)
}
