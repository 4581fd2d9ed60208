/**
 * @module
 * Passkey autofill (WebAuthn conditional mediation). Once the person focuses the field marked
 * `autocomplete="username webauthn"` on the signed-out screen, one
 * `navigator.credentials.get({mediation: 'conditional'})` waits, with the options of a sign-in
 * start without a login ID, for them to pick a passkey from the field's autofill list. Not before
 * the focus: each start is a KV write at the edge, and a page view alone is no sign of intent
 * (docs/threat-model.md, T62).
 *
 * A browser runs one WebAuthn request at a time, so a button ceremony first calls `stop()` (an
 * AbortController: the `AbortError` that follows is expected and silent) and the page calls
 * `start()` again afterwards. It never restarts by itself: after a dismissed or failed pick the
 * next focus of the field starts it again, so a refusing authenticator cannot cause a loop.
 */
import { post } from './api.js'
import { autofillAvailable, getPasskey } from './webauthn.js'

/** A request older than this may outlive the edge's transaction (5 min by default): replace it. */
const FRESH_MS = 4 * 60_000
/** How long `stop()` waits for the browser to let go of an aborted request. */
const STOP_WAIT_MS = 2_000

/**
 * @param {(pick: {transactionId: string, response: object}) => void} onPick called with a picked
 *   passkey's answer, for the page to finish the sign-in
 * @param {HTMLInputElement} field the login field: a request starts only while it has focus
 */
export function createAutofill(onPick, field) {
  /** @type {{controller: AbortController, startedAt: number, settled: Promise<void>} | null} */
  let pending = null
  /** @type {Promise<boolean> | undefined} */
  let supported

  async function waitForPick(signal) {
    const start = await post('/auth/passkey/signin/start', {}, signal)
    signal.throwIfAborted()
    const response = await getPasskey(start.options, { mediation: 'conditional', signal })
    onPick({ transactionId: start.transactionId, response })
  }

  async function start() {
    if (document.activeElement !== field) return
    supported ??= autofillAvailable()
    if (pending || !(await supported) || pending) return
    const controller = new AbortController()
    const entry = {
      controller,
      startedAt: Date.now(),
      settled: waitForPick(controller.signal)
        // Aborted by a button, dismissed, refused, or no start (429, offline): autofill is a
        // convenience and the buttons still work, so nothing is said.
        .catch(() => {})
        .finally(() => {
          if (pending === entry) pending = null
        }),
    }
    pending = entry
  }

  async function stop() {
    const current = pending
    if (!current) return
    pending = null
    current.controller.abort()
    await Promise.race([current.settled, new Promise((resolve) => setTimeout(resolve, STOP_WAIT_MS))])
  }

  return {
    /** Starts waiting for a pick while the field has focus, unless one is waiting or the browser offers no passkey autofill. */
    start,
    /** Cancels a waiting request and resolves once the browser has let go of it. */
    stop,
    /** Starts one if none is waiting, and replaces one too old to finish (on focus of the field). */
    async refresh() {
      if (pending && Date.now() - pending.startedAt < FRESH_MS) return
      await stop()
      await start()
    },
  }
}
