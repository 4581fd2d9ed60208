/**
 * @module
 * The passkey page: sign up, sign in, "sign up or in", add this device, the session, the demo
 * API with its step-up challenge, sign out. No framework: a few elements, one status line
 * (`aria-live`) for every outcome, and every action run through `runAction()` so that buttons
 * are disabled while it runs and errors read the same everywhere.
 */
import { ApiError, get, needsStepUp, post } from './api.js'
import { createPasskey, getPasskey, webauthnAvailable } from './webauthn.js'

const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id))

const ui = {
  status: $('status'),
  loading: $('loading'),
  unsupported: $('unsupported'),
  signedOut: $('signed-out'),
  signedIn: $('signed-in'),
  signedInTitle: $('signed-in-title'),
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
}

const canUsePasskeys = webauthnAvailable()
/** Buttons that start a ceremony stay disabled for good when the browser has no WebAuthn. */
const ceremonyButtons = ['#signup-in-form button', '#signup-form button', '#signin-form button', '#add-device', '#stepup-confirm']

// ---- status and results ------------------------------------------------------------------------

/**
 * Announces one outcome in the live region.
 * @param {string} message
 * @param {'info' | 'success' | 'calm' | 'error'} [tone]
 */
function say(message, tone = 'info') {
  ui.status.textContent = message
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
 * @param {HTMLElement} [returnFocus] where focus goes back when the action fails or is cancelled
 */
async function runAction(task, returnFocus) {
  if (busy) return
  setBusy(true)
  try {
    await task()
  } catch (error) {
    report(error)
    returnFocus?.focus()
  } finally {
    setBusy(false)
  }
}

/** Says what went wrong in words a person can act on; never raw JSON or a stack. */
function report(error) {
  if (error instanceof ApiError) {
    // Safari keeps no Secure cookie on http://localhost, so the ceremony's binding cookie is lost.
    const hint =
      error.code === 'invalid_transaction' && window.location.protocol === 'http:'
        ? ' If this is Safari on http://localhost: it drops the Secure cookie this step needs; use Chrome, Edge or Firefox, or https.'
        : ''
    say(error.message + hint, 'error')
    return
  }
  const name = error instanceof DOMException || error instanceof Error ? error.name : ''
  switch (name) {
    case 'NotAllowedError':
    case 'AbortError':
      // The user closed the prompt, or no passkey answered in time: nothing has changed.
      say('Cancelled — nothing was changed. You can try again whenever you are ready.', 'calm')
      return
    case 'InvalidStateError':
      say('A passkey for this account is already on this device. Sign in with it instead.', 'calm')
      return
    case 'SecurityError':
      say('This address cannot use passkeys. Open the page over https or on http://localhost.', 'error')
      return
    case 'NotSupportedError':
      say('This device has no authenticator that can create this kind of passkey.', 'error')
      return
    case 'TypeError':
      say(error.message || 'The server sent passkey options this page does not understand.', 'error')
      return
    default:
      say('Something went wrong. Please try again.', 'error')
  }
}

// ---- session view ------------------------------------------------------------------------------

/** The session from the edge (no call to Descope), or `null` when signed out. */
async function loadSession() {
  try {
    return await get('/auth/session')
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null
    throw error
  }
}

function renderSession(session) {
  ui.loading.hidden = true
  ui.demo.hidden = false
  ui.signedIn.hidden = session === null
  ui.signedOut.hidden = session !== null
  if (session === null) return
  ui.userId.textContent = typeof session.userId === 'string' ? session.userId : '—'
  ui.expires.textContent = formatExpiry(session.expiresAt)
  ui.roles.textContent = listOrNone(session.roles)
  ui.amr.textContent = listOrNone(session.amr)
}

async function showSignedIn(message) {
  const session = await loadSession()
  if (session === null) {
    say('The passkey worked, but this browser did not keep the session cookie.', 'error')
    renderSession(null)
    return
  }
  renderSession(session)
  hideStepUp()
  say(message, 'success')
  ui.signedInTitle.focus()
}

function showSignedOut(message) {
  renderSession(null)
  hideStepUp()
  say(message, 'info')
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
  return 'there'
}

// ---- forms -------------------------------------------------------------------------------------

/** The trimmed value of a required field, or `null` after telling the user it is missing. */
function required(form, name, label) {
  const input = /** @type {HTMLInputElement} */ (form.elements.namedItem(name))
  const value = input.value.trim()
  input.setAttribute('aria-invalid', String(value === ''))
  if (value === '') {
    say(`Enter ${label} first.`, 'error')
    input.focus()
    return null
  }
  return value
}

function optional(form, name) {
  const input = /** @type {HTMLInputElement} */ (form.elements.namedItem(name))
  return input.value.trim()
}

function firstField(form) {
  return /** @type {HTMLElement} */ (form.querySelector('input'))
}

$('signup-form').addEventListener('submit', (event) => {
  event.preventDefault()
  const form = /** @type {HTMLFormElement} */ (event.currentTarget)
  const loginId = required(form, 'loginId', 'a login ID')
  if (loginId === null) return
  const name = optional(form, 'name')
  void runAction(async () => {
    say('Creating your passkey — follow your browser’s prompt.')
    const start = await post('/auth/passkey/signup/start', name ? { loginId, name } : { loginId })
    const response = await createPasskey(start.options)
    const done = await post('/auth/passkey/signup/finish', { transactionId: start.transactionId, response })
    form.reset()
    await showSignedIn(`Welcome, ${displayName(done.user)}. Your passkey is ready and you are signed in.`)
  }, firstField(form))
})

$('signin-form').addEventListener('submit', (event) => {
  event.preventDefault()
  const form = /** @type {HTMLFormElement} */ (event.currentTarget)
  const loginId = required(form, 'loginId', 'your login ID')
  if (loginId === null) return
  void runAction(async () => {
    say('Waiting for your passkey — follow your browser’s prompt.')
    const start = await post('/auth/passkey/signin/start', { loginId })
    const response = await getPasskey(start.options)
    const done = await post('/auth/passkey/signin/finish', { transactionId: start.transactionId, response })
    form.reset()
    await showSignedIn(`Welcome back, ${displayName(done.user)}. You are signed in.`)
  }, firstField(form))
})

$('signup-in-form').addEventListener('submit', (event) => {
  event.preventDefault()
  const form = /** @type {HTMLFormElement} */ (event.currentTarget)
  const loginId = required(form, 'loginId', 'an email or username')
  if (loginId === null) return
  void runAction(async () => {
    say('Checking your account — follow your browser’s prompt.')
    const start = await post('/auth/passkey/signup-in/start', { loginId })
    const create = start.create === true
    const response = create ? await createPasskey(start.options) : await getPasskey(start.options)
    const done = await post('/auth/passkey/signup-in/finish', { transactionId: start.transactionId, response })
    form.reset()
    const who = displayName(done.user)
    await showSignedIn(create ? `Welcome, ${who}. Your account and passkey are ready.` : `Welcome back, ${who}. You are signed in.`)
  }, firstField(form))
})

// ---- signed-in actions -------------------------------------------------------------------------

$('add-device').addEventListener('click', (event) => {
  const button = /** @type {HTMLElement} */ (event.currentTarget)
  void runAction(async () => {
    say('Adding a passkey on this device — follow your browser’s prompt.')
    const start = await post('/auth/passkey/update/start', {})
    const response = await createPasskey(start.options)
    await post('/auth/passkey/update/finish', { transactionId: start.transactionId, response })
    say('Done: this device can now sign you in with its own passkey.', 'success')
  }, button)
})

$('sign-out').addEventListener('click', (event) => {
  const button = /** @type {HTMLElement} */ (event.currentTarget)
  void runAction(async () => {
    let failure = null
    try {
      await post('/auth/logout', {})
    } catch (error) {
      // 401: already signed out (expired session), the outcome the user asked for. Otherwise the
      // edge cleared the cookies but could not revoke the session at the identity provider.
      if (!(error instanceof ApiError) || error.status === 0) throw error
      if (error.status !== 401) failure = error
    }
    ui.result.hidden = true
    showSignedOut('You are signed out.')
    if (failure) say(`You are signed out on this browser, but the server could not confirm it: ${failure.message}`, 'error')
  }, button)
})

// ---- the demo API ------------------------------------------------------------------------------

$('call-hello').addEventListener('click', (event) => {
  const button = /** @type {HTMLElement} */ (event.currentTarget)
  void runAction(async () => {
    try {
      const body = await get('/api/hello')
      // The edge may have renewed the session on the way: keep the shown expiry current.
      if (body.expiresAt !== undefined) ui.expires.textContent = formatExpiry(body.expiresAt)
      const who = typeof body.userId === 'string' ? body.userId : 'you'
      const text = typeof body.message === 'string' ? body.message : `The edge accepted the session of ${who}.`
      showResult('Protected API: allowed', text, 'success')
      say('The protected API answered.', 'success')
    } catch (error) {
      if (!(error instanceof ApiError) || error.status === 0) throw error
      showResult(`Protected API: refused (HTTP ${error.status})`, error.message, 'error')
      say('The protected API refused the call.', 'error')
    }
  }, button)
})

$('call-sensitive').addEventListener('click', (event) => {
  const button = /** @type {HTMLElement} */ (event.currentTarget)
  void runAction(async () => {
    hideStepUp()
    try {
      await sensitiveAction()
    } catch (error) {
      if (needsStepUp(error)) {
        ui.stepup.hidden = false
        ui.result.hidden = true
        say('Confirm it’s you with your passkey to continue.', 'info')
        ui.stepupTitle.focus()
        return
      }
      if (!(error instanceof ApiError) || error.status === 0) throw error
      showResult(`Sensitive action: refused (HTTP ${error.status})`, error.message, 'error')
      say('The sensitive action was refused.', 'error')
    }
  }, button)
})

$('stepup-confirm').addEventListener('click', (event) => {
  const button = /** @type {HTMLElement} */ (event.currentTarget)
  void runAction(async () => {
    say('Waiting for your passkey — follow your browser’s prompt.')
    // The edge takes the user from the session; no login ID leaves the page.
    const start = await post('/auth/passkey/signin/start', { stepup: true })
    const response = await getPasskey(start.options)
    await post('/auth/passkey/signin/finish', { transactionId: start.transactionId, response })
    hideStepUp()
    renderSession(await loadSession())
    await sensitiveAction()
  }, button)
})

$('stepup-cancel').addEventListener('click', () => {
  hideStepUp()
  say('The sensitive action was not done.', 'calm')
  $('call-sensitive').focus()
})

async function sensitiveAction() {
  const body = await get('/api/sensitive')
  const text = typeof body.message === 'string' ? body.message : 'You confirmed with your passkey moments ago, so the edge allowed it.'
  showResult('Sensitive action: done', text, 'success')
  say('The sensitive action succeeded.', 'success')
}

function hideStepUp() {
  ui.stepup.hidden = true
}

// ---- start -------------------------------------------------------------------------------------

async function start() {
  if (!canUsePasskeys) ui.unsupported.hidden = false
  setBusy(false)
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
