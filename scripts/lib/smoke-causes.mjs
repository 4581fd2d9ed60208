/**
 * @module
 * The likely cause of a failed `npm run smoke` step, from what the Worker answered: its error
 * code (docs/api.md), the readiness checks, the passkey domain against the page's host, and
 * whether cookies can stick on this host at all. One sentence a person can act on.
 */

/** Why a step failed, for its FAIL line. */
export function causeOf({ step, answer, base, host, rpId }) {
  const code = answer.body?.error?.code
  const got = answer.status ? `HTTP ${answer.status}${code ? ` ${code}` : ''}` : answer.text
  const plainHttp = base.startsWith('http://') && host !== 'localhost' && host !== '127.0.0.1'
  if (step === 'reach') return `${got}: the host does not answer (DNS, the Worker's route, or it is not deployed)`
  if (code === 'configuration_error') return `${got}: the Worker's configuration is invalid — ${answer.body.error.message}`
  if (step === 'readyz') {
    const checks = answer.body?.checks ?? {}
    if (checks.passkeyDomain === 'mismatch')
      return `${got}: Descope's passkey domain does not fit ${base} (compare options.publicKey.rpId with the origin; the Worker's log line passkey_domain_mismatch names both): set the project's passkey "Top Level Domain" to ${host} or a parent domain of it`
    if (checks.keys === 'failed') return `${got}: no signing keys from Descope (DESCOPE_PROJECT_ID, DESCOPE_BASE_URL, or Descope unreachable from the edge)`
    if (checks.kv === 'failed') return `${got}: the TRANSACTIONS KV namespace does not answer (binding missing or wrong ID in wrangler.jsonc)`
    return `${got}: ${answer.text}`
  }
  if (code === 'origin_not_allowed') return `${got}: ${base} is not in ALLOWED_ORIGINS (exact scheme, host and port)`
  if (step === 'rpId' || (step === 'create' && /SecurityError/.test(answer.text))) {
    return `passkey domain ≠ the page's host: options.publicKey.rp.id is ${rpId ?? '(none)'}, the host is ${host}; set Descope's passkey "Top Level Domain" to ${host} or a parent domain of it`
  }
  if (step === 'create') return `the browser refused to make the passkey (${answer.text})`
  if (step === 'cookies' || code === 'invalid_transaction') {
    return plainHttp
      ? `${got}: cookies were not kept because ${base} is not https (the Worker's cookies are Secure)`
      : `${got}: the browser kept no cookie from the Worker (a proxy stripping Set-Cookie, or the page and API on different hosts)`
  }
  if (code === 'upstream_error' || code === 'authentication_failed' || code === 'upstream_timeout' || code === 'rate_limited') {
    return `${got}: Descope refused or failed; its error code is in the Worker's upstream_error log line (project ID, approved domains, passkey settings)`
  }
  if (step === 'session' || step === 'protected')
    return `${got}: the session cookie did not come back or did not verify (SESSION_COOKIE_NAME, SESSION_AUDIENCE, https)`
  if (step === 'after-logout') return `${got}: the session still works after signing out everywhere`
  return `${got}: ${answer.text}`
}
