/**
 * @module
 * Everything the page says about an outcome, in one table keyed by a stable code: the edge's
 * error codes (docs/api.md), the browser's WebAuthn error names, and the page's own outcomes.
 * Wording is reviewed here and nowhere else; a translation is another table with the same keys
 * (messages-de.js), chosen by the page's `<html lang>`.
 * `{placeholders}` are filled by `message()`. The server's own English `message` is never shown:
 * it is meant for developers and may name fields.
 */
import { ApiError } from './client/api.js'
import { MESSAGES_DE } from './messages-de.js'

/** @type {Record<string, string>} */
export const MESSAGES = {
  // The edge's error codes.
  invalid_request: 'The page sent something the server did not expect. Reload the page and try again.',
  invalid_login_id: 'That email or username can’t be used here. If the account is yours, sign in with your passkey instead.',
  invalid_transaction: 'This step took too long or was already used. Please start again.',
  invalid_recovery_link: 'This sign-in link was already used, has expired or is not complete. Ask for a new one under “Lost your passkey?”.',
  transaction_expired: 'That took too long, so the step timed out. Please start again.',
  authentication_failed: 'That passkey wasn’t accepted here. Try again, or choose another passkey for this site.',
  unauthorized: 'Your session has ended. Sign in again to continue.',
  insufficient_user_authentication: 'Please confirm it’s you with your passkey to continue.',
  forbidden: 'Your account cannot do that.',
  origin_not_allowed: 'The server does not accept requests from this address. Open the page at its usual address.',
  rate_limited: 'That was a lot of attempts in a short time. Please wait {seconds} seconds, then try again.',
  upstream_error: 'The sign-in service had a problem. Please try again in a moment.',
  upstream_timeout: 'The sign-in service took too long to answer. Please start again.',
  unavailable: 'The server is briefly unavailable. Please try again in a moment.',
  network_error: 'The server could not be reached. Check your connection and try again.',
  payload_too_large: 'The page sent something the server did not expect. Reload the page and try again.',
  unsupported_media_type: 'The page sent something the server did not expect. Reload the page and try again.',
  not_found: 'The page sent something the server did not expect. Reload the page and try again.',
  method_not_allowed: 'The page sent something the server did not expect. Reload the page and try again.',
  internal_error: 'Something went wrong on our side. Please try again later.',
  configuration_error: 'Something went wrong on our side. Please try again later.',
  unexpected_response: 'The server answered in a way this page does not understand (HTTP {status}). Please try again.',
  reference: 'If it keeps happening, quote this reference: {id}',

  // The browser's WebAuthn errors (DOMException names) and the page's own checks.
  NotAllowedError: 'Cancelled — nothing was changed. You can try again whenever you are ready.',
  AbortError: 'Cancelled — nothing was changed. You can try again whenever you are ready.',
  InvalidStateError: 'A passkey for this account is already on this device. Sign in with it instead.',
  SecurityError:
    'The browser refused: this site’s passkey domain does not match this address. The site’s operator sets the passkey domain in Descope to this host or a parent domain of it.',
  insecure_context: 'This address cannot use passkeys. Open the page over https or on http://localhost.',
  NotSupportedError: 'This device has no authenticator that can make this kind of passkey.',
  bad_options: 'The server sent passkey options this page does not understand.',
  unknown: 'Something went wrong. Please try again.',
  safari_http_hint: 'If this is Safari on http://localhost: it drops the Secure cookie this step needs; use Chrome, Edge or Firefox, or https.',
  missing_login_id: 'Enter your email or username first.',

  // Outcomes.
  creating: 'Creating your passkey — follow your browser’s prompt.',
  waiting: 'Waiting for your passkey — follow your browser’s prompt.',
  checking_account: 'Checking your account — follow your browser’s prompt.',
  adding_device: 'Adding a passkey on this device — follow your browser’s prompt.',
  signing_in: 'Signing you in…',
  welcome_new: 'Welcome, {name}. Your passkey is ready and you are signed in.',
  welcome_new_account: 'Welcome, {name}. Your account and passkey are ready.',
  welcome_back: 'Welcome back, {name}. You are signed in.',
  someone: 'there',
  session_not_kept: 'The passkey worked, but this browser did not keep the session cookie.',
  device_added: 'Done: this device can now sign you in with its own passkey.',
  signed_out: 'You are signed out.',
  signed_out_unconfirmed: 'You are signed out in this browser, but the server could not confirm it. {reason}',
  signed_out_everywhere: 'You are signed out everywhere: every browser and device has to sign in again.',
  signed_out_everywhere_unconfirmed: 'You are signed out in this browser, but other devices may still be signed in: the server could not confirm it. {reason}',
  signed_out_everywhere_expired:
    'Your session in this browser had already ended, so other devices could not be signed out from here. Sign in, then choose “Sign out everywhere” again.',
  protected_allowed: 'The protected API answered.',
  protected_refused: 'The protected API refused the call.',
  protected_allowed_text: 'The edge accepted the session of {who}.',
  sensitive_confirm: 'Confirm it’s you with your passkey to continue.',
  sensitive_done: 'The sensitive action succeeded.',
  sensitive_done_text: 'You confirmed with your passkey moments ago, so the edge allowed it.',
  sensitive_refused: 'The sensitive action was refused.',
  sensitive_not_done: 'The sensitive action was not done.',
  recovery_sent: 'If that account has an email address, a sign-in link is on its way. Open it on this device. (At most one link every 10 minutes.)',
  recovering: 'Signing you in with the emailed link…',
  recovered: 'Welcome back, {name}. You are signed in with the emailed link: create a passkey on this device now.',
  recovered_later: 'You can add this device any time with “Add this device”.',
}

/** Translations by language; English (above) is the source every other table follows. */
const TRANSLATIONS = { de: MESSAGES_DE }

/** The table of the page's language (`<html lang="de">`), English when there is none. */
const TABLE = tableFor(globalThis.document?.documentElement.lang ?? 'en')

/** @param {string} lang a BCP 47 tag, e.g. `de-CH` */
export function tableFor(lang) {
  const primary = lang.toLowerCase().split('-')[0] ?? ''
  return Object.hasOwn(TRANSLATIONS, primary) ? TRANSLATIONS[/** @type {'de'} */ (primary)] : MESSAGES
}

/**
 * The sentence for `key`, with its placeholders filled.
 * @param {string} key
 * @param {Record<string, string | number>} [values]
 */
export function message(key, values = {}) {
  const template = known(key) ? TABLE[key] : TABLE.unknown
  return template.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ''))
}

/**
 * What to tell a person about a failure: never raw JSON, a stack or the server's developer text.
 * @param {unknown} error
 * @returns {{text: string, tone: 'calm' | 'error'}}
 */
export function describeError(error) {
  if (error instanceof ApiError) {
    const key = known(error.code) ? error.code : error.status >= 500 ? 'internal_error' : 'unexpected_response'
    let text = message(key, { seconds: error.retryAfter ?? 60, status: error.status })
    // Safari keeps no Secure cookie on http://localhost, so the ceremony's binding cookie is lost.
    if (error.code === 'invalid_transaction' && globalThis.location?.protocol === 'http:') text += ` ${message('safari_http_hint')}`
    // A failure on our side: the request ID lets the operator find its log lines.
    if (error.status >= 500 && error.requestId) text += ` ${message('reference', { id: error.requestId })}`
    return { text, tone: 'error' }
  }
  const name = error instanceof Error || error instanceof DOMException ? error.name : ''
  // A SecurityError on a secure page is the passkey domain (RP ID) not covering this host.
  if (name === 'SecurityError' && globalThis.isSecureContext === false) return { text: message('insecure_context'), tone: 'error' }
  if (name === 'NotAllowedError' || name === 'AbortError' || name === 'InvalidStateError') return { text: message(name), tone: 'calm' }
  if (name === 'TypeError') return { text: message('bad_options'), tone: 'error' }
  return { text: message(known(name) ? name : 'unknown'), tone: 'error' }
}

/** Own keys only: a code like `toString` from a server must not reach the prototype. */
function known(key) {
  return Object.hasOwn(MESSAGES, key)
}
