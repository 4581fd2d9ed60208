/**
 * @module
 * `passkey-edge/client`: the browser half of passkey-edge, for the page in `static/` and for any
 * site's own pages on the Worker's host. Each function runs one whole step of the browser API
 * (docs/api.md) against the same origin: the start call, the browser's passkey ceremony, the
 * finish call. Failures are thrown as they come: an `ApiError` (`code`, `status`, `requestId`)
 * from the edge, or the browser's `DOMException` from the ceremony (`NotAllowedError` when the
 * person cancels). Plain ES modules with JSDoc types: served as they are, no build step.
 */
import { ApiError, get, post } from './api.js'
import { createPasskey, getPasskey } from './webauthn.js'

export { ApiError, needsStepUp } from './api.js'
export { createAutofill } from './autofill.js'
export { takeRecoveryToken } from './recovery-link.js'
export { autofillAvailable, webauthnAvailable } from './webauthn.js'

/** @typedef {import('./api.js').ErrorCode} ErrorCode */

/**
 * What a sign-in answers (the session cookies are set; no token is ever in a body).
 * @typedef {{user: Record<string, unknown> | null, firstSeen: boolean, sessionExpiration: number | null}} SignedIn
 */

/**
 * The session as the edge checked it (`GET /auth/session`, no call to Descope).
 * @typedef {{userId: string, expiresAt: number, roles: string[], permissions: string[],
 *   tenants: Record<string, unknown>, amr: string[], [claim: string]: unknown}} SessionInfo
 */

/**
 * A new account and its first passkey.
 * @param {string} loginId
 * @param {{name?: string}} [profile]
 * @returns {Promise<SignedIn>}
 */
export async function signUp(loginId, { name } = {}) {
  const start = await post('/auth/passkey/signup/start', name ? { loginId, name } : { loginId })
  const response = await createPasskey(start.options)
  return post('/auth/passkey/signup/finish', { transactionId: start.transactionId, response })
}

/**
 * Signs in with a passkey: of `loginId`'s account, or, without one, any passkey the browser
 * holds for this site (the person picks; the edge signs in its owner).
 * @param {string} [loginId]
 * @returns {Promise<SignedIn>}
 */
export async function signIn(loginId) {
  const start = await post('/auth/passkey/signin/start', loginId ? { loginId } : {})
  return finishSignIn({ transactionId: start.transactionId, response: await getPasskey(start.options) })
}

/**
 * One field for both: a new login ID creates the account and its passkey, a known one signs in.
 * @param {string} loginId
 * @returns {Promise<SignedIn & {created: boolean}>}
 */
export async function signUpOrIn(loginId) {
  const start = await post('/auth/passkey/signup-in/start', { loginId })
  const created = start.create === true
  const response = created ? await createPasskey(start.options) : await getPasskey(start.options)
  return { ...(await post('/auth/passkey/signup-in/finish', { transactionId: start.transactionId, response })), created }
}

/**
 * Finishes a sign-in whose passkey was picked elsewhere (the autofill list: `createAutofill`).
 * @param {{transactionId: string, response: object}} pick
 * @returns {Promise<SignedIn>}
 */
export function finishSignIn(pick) {
  return post('/auth/passkey/signin/finish', pick)
}

/** Adds a passkey on this device to the signed-in account. @returns {Promise<void>} */
export async function addDevice() {
  const start = await post('/auth/passkey/update/start', {})
  await post('/auth/passkey/update/finish', { transactionId: start.transactionId, response: await createPasskey(start.options) })
}

/**
 * Confirms it is the signed-in person with their passkey (step-up): the new session passes
 * `stepup` requirements. Run it when a call failed with `needsStepUp(error)`.
 * @returns {Promise<SignedIn>}
 */
export async function stepUp() {
  const start = await post('/auth/passkey/signin/start', { stepup: true })
  return finishSignIn({ transactionId: start.transactionId, response: await getPasskey(start.options) })
}

/**
 * The current session, or `null` when signed out. A lapsed session with a valid refresh cookie
 * is renewed by the edge on this very call.
 * @returns {Promise<SessionInfo | null>}
 */
export async function currentSession() {
  try {
    return await get('/auth/session')
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null
    throw error
  }
}

/** A new session token now (normally the edge refreshes by itself). @returns {Promise<{sessionExpiration: number | null}>} */
export function refresh() {
  return post('/auth/refresh', {})
}

/** Signs out this browser (the refresh token is revoked at Descope). @returns {Promise<void>} */
export async function signOut() {
  await post('/auth/logout', {})
}

/** Signs out every browser and device of this account. @returns {Promise<void>} */
export async function signOutEverywhere() {
  await post('/auth/logout-all', {})
}

/**
 * Account recovery by emailed link, when the edge has it on (docs/recovery.md).
 */
export const recovery = {
  /**
   * How recovery works here, or `null` when it is off. `outbox` only against the local emulator.
   * @returns {Promise<{method: 'email-link', outbox?: string} | null>}
   */
  async method() {
    try {
      return await get('/auth/recover/method')
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return null
      throw error
    }
  },
  /**
   * Asks for a link to the account's email; the answer is the same whether or not it exists.
   * @param {string} loginId
   * @returns {Promise<void>}
   */
  async start(loginId) {
    await post('/auth/recover/start', { loginId })
  },
  /**
   * Signs in with a link's token (take it out of the address bar first: `takeRecoveryToken()`).
   * @param {string} token
   * @returns {Promise<SignedIn>}
   */
  finish(token) {
    return post('/auth/recover/finish', { token })
  },
}
