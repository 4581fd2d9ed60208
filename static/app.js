/**
 * @module
 * The passkey page. Signed out, one screen: "Sign in with a passkey" (nothing typed), one
 * email/username field that offers passkeys through autofill and otherwise continues with
 * sign-up-or-in, and a quiet way to create an account. Signed in: the session, add this device,
 * the demo API with its step-up, sign out, sign out everywhere. With recovery on (docs/recovery.md):
 * "Lost your passkey?" emails a sign-in link; the link signs in and asks for a passkey on this device.
 *
 * No framework: every action runs through `runAction()` (buttons disabled meanwhile, one error
 * path), every outcome is said once in the `aria-live` status line, in words from messages.js.
 */
import {
  ApiError,
  addDevice as addThisDevice,
  createAutofill,
  currentSession,
  finishSignIn,
  needsStepUp,
  recovery,
  signIn,
  signOut,
  signOutEverywhere,
  signUp,
  signUpOrIn,
  stepUp,
  takeRecoveryToken,
  webauthnAvailable,
} from './client/index.js'
import { get } from './client/api.js'
import { describeError, message } from './messages.js'

// First thing: a recovery link's token leaves the address bar (docs/recovery.md).
const recoveryToken = takeRecoveryToken()

const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id))

const ui = {
  status: $('status'),
  loading: $('loading'),
  unsupported: $('unsupported'),
  signedOut: $('signed-out'),
  signedIn: $('signed-in'),
  signedInTitle: $('signed-in-title'),
  loginId: /** @type {HTMLInputElement} */ ($('login-id')),
  continueForm: /** @type {HTMLFormElement} */ ($('continue-form')),
  signUpForm: /** @type {HTMLFormElement} */ ($('signup-form')),
  demo: $('demo'),
  userId: $('session-user-id'),
  expires: $('session-expires'),
  roles: $('session-roles'),
  amr: $('session-amr'),
  stepup: $('stepup'),
  stepupTitle: $('stepup-title'),
  result: $('result'),
  resultTitle: $('result-title'),
  resultText: $('result-text'),
  recover: /** @type {HTMLDetailsElement} */ ($('recover')),
  recoverForm: /** @type {HTMLFormElement} */ ($('recover-form')),
  recoverOutbox: $('recover-outbox'),
  recoverOutboxLink: /** @type {HTMLAnchorElement} */ ($('recover-outbox-link')),
  recovered: $('recovered'),
  recoveredTitle: $('recovered-title'),
}

const canUsePasskeys = webauthnAvailable()
/** Buttons that start a ceremony stay disabled for good when the browser has no WebAuthn. */
const ceremonyButtons = ['#passkey-sign-in', '#continue-form button', '#signup-form button', '#add-device', '#stepup-confirm', '#recovered-add-device']

// A passkey picked from the login field's autofill list finishes the sign-in like a button would.
const autofill = createAutofill(({ transactionId, response }) => {
  void runAction(
    async () => {
      say(message('signing_in'))
      const done = await finishSignIn({ transactionId, response })
      ui.continueForm.reset()
      await showSignedIn('welcome_back', done.user)
    },
    ui.loginId,
    { resumeAutofill: false }
  )
}, ui.loginId)

// ---- status and results ------------------------------------------------------------------------

/**
 * Announces one outcome in the live region.
 * @param {string} text
 * @param {'info' | 'success' | 'calm' | 'error'} [tone]
 */
function say(text, tone = 'info') {
  ui.status.textContent = text
  ui.status.dataset.tone = tone
}

function showResult(title, text, tone) {
  ui.resultTitle.textContent = title
  ui.resultText.textContent = text
  ui.result.dataset.tone = tone
  ui.result.hidden = false
}

// ---- busy state --------------------------------------------------------------------------------

let busy = false

function setBusy(value) {
  busy = value
  document.body.setAttribute('aria-busy', String(value))
  for (const button of document.querySelectorAll('button')) button.disabled = value
  if (!canUsePasskeys) for (const selector of ceremonyButtons) document.querySelector(selector)?.setAttribute('disabled', '')
}

/**
 * Runs one user action with the page busy, and turns any failure into a readable status.
 * @param {() => Promise<void>} task
 * @param {HTMLElement} [returnFocus] where focus goes back when the action is cancelled
 * @param {{ceremony?: boolean, resumeAutofill?: boolean}} [kind] a ceremony first takes over
 *   from a waiting autofill request; afterwards, still signed out, autofill waits again (except
 *   after a failed autofill pick, which waits for the next focus of the field: no loop)
 */
async function runAction(task, returnFocus, { ceremony = false, resumeAutofill = true } = {}) {
  if (busy) return
  setBusy(true)
  let failed = false
  let failure
  try {
    // The browser runs one WebAuthn request at a time: a button wins over a waiting autofill.
    if (ceremony) await autofill.stop()
    await task()
  } catch (error) {
    failed = true
    failure = error
  } finally {
    setBusy(false)
  }
  // Only now: a disabled button cannot take focus back.
  if (failed) report(failure, returnFocus)
  if (resumeAutofill && !ui.signedOut.hidden) void autofill.start()
}

/** Says what went wrong; an error takes focus (so it is read and seen), a cancel gives it back. */
function report(error, returnFocus) {
  const { text, tone } = describeError(error)
  say(text, tone)
  if (tone === 'error') ui.status.focus()
  else returnFocus?.focus()
}

// ---- session view ------------------------------------------------------------------------------

/** The session from the edge (no call to Descope), or `null` when signed out. */
const loadSession = currentSession

function renderSession(session) {
  ui.loading.hidden = true
  ui.demo.hidden = false
  ui.signedIn.hidden = session === null
  ui.signedOut.hidden = session !== null
  if (session === null) ui.recovered.hidden = true
  if (session === null) {
    // Inside an action (sign-out), runAction starts it once the page is no longer busy.
    if (!busy) void autofill.start()
    return
  }
  void autofill.stop()
  ui.userId.textContent = typeof session.userId === 'string' ? session.userId : '—'
  ui.expires.textContent = formatExpiry(session.expiresAt)
  ui.roles.textContent = listOrNone(session.roles)
  ui.amr.textContent = listOrNone(session.amr)
}

/** @param {string} key a `welcome_*` message @param {unknown} user Descope's user object */
async function showSignedIn(key, user) {
  const session = await loadSession()
  if (session === null) {
    renderSession(null)
    say(message('session_not_kept'), 'error')
    ui.status.focus()
    return
  }
  renderSession(session)
  hideStepUp()
  say(message(key, { name: displayName(user) }), 'success')
  ui.signedInTitle.focus()
}

function showSignedOut(text, tone = 'info') {
  ui.result.hidden = true
  renderSession(null)
  hideStepUp()
  say(text, tone)
  ui.status.focus()
}

function formatExpiry(value) {
  const epochMs = typeof value === 'number' ? (value < 1e12 ? value * 1000 : value) : Date.parse(String(value))
  if (!Number.isFinite(epochMs)) return '—'
  const minutes = Math.round((epochMs - Date.now()) / 60_000)
  const when = new Date(epochMs).toLocaleString()
  return minutes > 0 ? `${when} (in ${minutes} min)` : when
}

function listOrNone(value) {
  return Array.isArray(value) && value.length > 0 ? value.map(String).join(', ') : 'none'
}

function displayName(user) {
  if (typeof user?.name === 'string' && user.name) return user.name
  if (Array.isArray(user?.loginIds) && typeof user.loginIds[0] === 'string') return user.loginIds[0]
  return message('someone')
}

// ---- signed out: the one screen ----------------------------------------------------------------

/** The trimmed value of a required field, or `null` after saying it is missing. */
function required(input) {
  const value = input.value.trim()
  input.setAttribute('aria-invalid', String(value === ''))
  if (value === '') {
    say(message('missing_login_id'), 'error')
    input.focus()
    return null
  }
  return value
}

for (const input of document.querySelectorAll('input')) input.addEventListener('input', () => input.removeAttribute('aria-invalid'))

// Focus on the login field is where autofill shows passkeys: make sure a fresh request waits.
ui.loginId.addEventListener('focus', () => {
  if (!busy) void autofill.refresh()
})

$('passkey-sign-in').addEventListener('click', (event) => {
  const button = /** @type {HTMLElement} */ (event.currentTarget)
  void runAction(
    async () => {
      say(message('waiting'))
      // No login ID: the browser offers every passkey it has for this site, and the edge signs in
      // whoever the chosen one belongs to.
      const done = await signIn()
      await showSignedIn('welcome_back', done.user)
    },
    button,
    { ceremony: true }
  )
})

ui.continueForm.addEventListener('submit', (event) => {
  event.preventDefault()
  const loginId = required(ui.loginId)
  if (loginId === null) return
  void runAction(
    async () => {
      say(message('checking_account'))
      const done = await signUpOrIn(loginId)
      ui.continueForm.reset()
      await showSignedIn(done.created ? 'welcome_new_account' : 'welcome_back', done.user)
    },
    ui.loginId,
    { ceremony: true }
  )
})

ui.signUpForm.addEventListener('submit', (event) => {
  event.preventDefault()
  const form = ui.signUpForm
  const loginId = required(/** @type {HTMLInputElement} */ (form.elements.namedItem('loginId')))
  if (loginId === null) return
  const name = /** @type {HTMLInputElement} */ (form.elements.namedItem('name')).value.trim()
  void runAction(
    async () => {
      say(message('creating'))
      const done = await signUp(loginId, { name })
      form.reset()
      await showSignedIn('welcome_new', done.user)
    },
    /** @type {HTMLElement} */ (form.querySelector('input')),
    { ceremony: true }
  )
})

// ---- recovery (only when the edge has it on) ---------------------------------------------------

/** Shows "Lost your passkey?" when the edge offers recovery (and, in local dev, where emails land). */
async function offerRecovery() {
  // Off (or unreachable), the page says nothing of it.
  const method = await recovery.method().catch(() => null)
  if (method === null) return
  ui.recover.hidden = false
  if (typeof method.outbox === 'string' && /^http:\/\/(localhost|127\.0\.0\.1)[:/]/.test(method.outbox)) {
    ui.recoverOutboxLink.href = method.outbox
    ui.recoverOutbox.hidden = false
  }
}

ui.recoverForm.addEventListener('submit', (event) => {
  event.preventDefault()
  const input = /** @type {HTMLInputElement} */ (ui.recoverForm.elements.namedItem('loginId'))
  const loginId = required(input)
  if (loginId === null) return
  void runAction(async () => {
    await recovery.start(loginId)
    ui.recoverForm.reset()
    say(message('recovery_sent'), 'success')
  }, input)
})

/** Signs in with the link's token, then asks at once for a passkey on this device. */
async function finishRecovery(token) {
  await runAction(async () => {
    say(message('recovering'))
    const done = await recovery.finish(token)
    await showSignedIn('recovered', done.user)
    if (ui.signedIn.hidden) return
    ui.recovered.hidden = false
    ui.recoveredTitle.focus()
  })
}

// ---- signed in ---------------------------------------------------------------------------------

/** Add-device: a passkey on this device for the signed-in user. */
function addDevice(event) {
  const button = /** @type {HTMLElement} */ (event.currentTarget)
  void runAction(
    async () => {
      say(message('adding_device'))
      await addThisDevice()
      ui.recovered.hidden = true
      say(message('device_added'), 'success')
    },
    button,
    { ceremony: true }
  )
}

$('add-device').addEventListener('click', addDevice)
$('recovered-add-device').addEventListener('click', addDevice)

$('recovered-later').addEventListener('click', () => {
  ui.recovered.hidden = true
  say(message('recovered_later'), 'calm')
  $('add-device').focus()
})

$('sign-out').addEventListener('click', () => {
  void runAction(async () => {
    try {
      await signOut()
      showSignedOut(message('signed_out'))
    } catch (error) {
      // No answer at all: nothing changed, the cookies are still there.
      if (!(error instanceof ApiError) || error.status === 0) throw error
      // 401: already signed out (expired session), the outcome asked for. Otherwise the edge
      // cleared the cookies but could not revoke the session at the identity provider.
      if (error.status === 401) showSignedOut(message('signed_out'))
      else showSignedOut(message('signed_out_unconfirmed', { reason: describeError(error).text }), 'error')
    }
  })
})

$('sign-out-everywhere').addEventListener('click', () => {
  void runAction(async () => {
    try {
      await signOutEverywhere()
      showSignedOut(message('signed_out_everywhere'), 'success')
    } catch (error) {
      if (!(error instanceof ApiError) || error.status === 0) throw error
      // The edge cleared this browser's cookies in every case; only the revocation is in doubt.
      if (error.status === 401) showSignedOut(message('signed_out_everywhere_expired'), 'error')
      else showSignedOut(message('signed_out_everywhere_unconfirmed', { reason: describeError(error).text }), 'error')
    }
  })
})

// ---- the demo API ------------------------------------------------------------------------------

$('call-hello').addEventListener('click', () => {
  void runAction(async () => {
    try {
      const body = await get('/api/hello')
      // The edge may have renewed the session on the way: keep the shown expiry current.
      if (body.expiresAt !== undefined) ui.expires.textContent = formatExpiry(body.expiresAt)
      const who = typeof body.userId === 'string' ? body.userId : 'you'
      const text = typeof body.message === 'string' ? body.message : message('protected_allowed_text', { who })
      showResult('Protected API: allowed', text, 'success')
      say(message('protected_allowed'), 'success')
    } catch (error) {
      if (!(error instanceof ApiError) || error.status === 0) throw error
      showResult(`Protected API: refused (HTTP ${error.status})`, describeError(error).text, 'error')
      say(message('protected_refused'), 'error')
    }
  })
})

$('call-sensitive').addEventListener('click', () => {
  void runAction(async () => {
    hideStepUp()
    try {
      await sensitiveAction()
    } catch (error) {
      if (needsStepUp(error)) {
        ui.stepup.hidden = false
        ui.result.hidden = true
        say(message('sensitive_confirm'))
        ui.stepupTitle.focus()
        return
      }
      if (!(error instanceof ApiError) || error.status === 0) throw error
      showResult(`Sensitive action: refused (HTTP ${error.status})`, describeError(error).text, 'error')
      say(message('sensitive_refused'), 'error')
    }
  })
})

$('stepup-confirm').addEventListener('click', (event) => {
  const button = /** @type {HTMLElement} */ (event.currentTarget)
  void runAction(
    async () => {
      say(message('waiting'))
      // The edge takes the user from the session; no login ID leaves the page.
      await stepUp()
      hideStepUp()
      renderSession(await loadSession())
      await sensitiveAction()
    },
    button,
    { ceremony: true }
  )
})

$('stepup-cancel').addEventListener('click', () => {
  hideStepUp()
  say(message('sensitive_not_done'), 'calm')
  $('call-sensitive').focus()
})

async function sensitiveAction() {
  const body = await get('/api/sensitive')
  const text = typeof body.message === 'string' ? body.message : message('sensitive_done_text')
  showResult('Sensitive action: done', text, 'success')
  say(message('sensitive_done'), 'success')
}

function hideStepUp() {
  ui.stepup.hidden = true
}

// ---- start -------------------------------------------------------------------------------------

async function start() {
  if (!canUsePasskeys) ui.unsupported.hidden = false
  setBusy(false)
  void offerRecovery()
  if (recoveryToken !== null) {
    ui.loading.hidden = true
    await finishRecovery(recoveryToken)
    if (!ui.signedIn.hidden) return
  }
  let session = null
  try {
    // A lapsed session with a good refresh cookie is renewed by the edge on this very call.
    session = await loadSession()
  } catch (error) {
    report(error)
  }
  renderSession(session)
}

void start()
