/**
 * @module
 * The browser half of a passkey ceremony: turns the edge's JSON options (`{publicKey: {…}}`,
 * base64url fields) into what `navigator.credentials` takes, and the credential it returns back
 * into WebAuthn JSON. Uses the browser's own `parseCreationOptionsFromJSON`,
 * `parseRequestOptionsFromJSON` and `toJSON()` where they exist (Chrome 129+, Firefox 119+,
 * Safari 18.4+), and a small fallback where they do not.
 */

/** True when this page can run a passkey ceremony at all (secure context + the API). */
export function webauthnAvailable() {
  return (
    window.isSecureContext === true &&
    typeof window.PublicKeyCredential === 'function' &&
    typeof navigator.credentials?.create === 'function' &&
    typeof navigator.credentials?.get === 'function'
  )
}

/**
 * Creates a passkey from the edge's creation options.
 * @param {unknown} options the `options` of a start response: `{publicKey: {…}}`
 * @returns {Promise<object>} the registration response as WebAuthn JSON
 */
export async function createPasskey(options) {
  const publicKey = creationOptions(publicKeyOf(options))
  const credential = await navigator.credentials.create({ publicKey })
  return credentialToJSON(credential)
}

/**
 * Signs in with a passkey from the edge's request options.
 * @param {unknown} options the `options` of a start response: `{publicKey: {…}}`
 * @param {{mediation?: 'conditional', signal?: AbortSignal}} [request] `conditional` waits for a
 *   pick from the autofill list of a field with `autocomplete="… webauthn"`; `signal` cancels it
 * @returns {Promise<object>} the authentication response as WebAuthn JSON
 */
export async function getPasskey(options, request = {}) {
  const publicKey = requestOptions(publicKeyOf(options))
  const credential = await navigator.credentials.get({ publicKey, ...request })
  return credentialToJSON(credential)
}

/** True when the browser can offer passkeys in a field's autofill list (conditional mediation). */
export async function autofillAvailable() {
  if (!webauthnAvailable() || typeof PublicKeyCredential.isConditionalMediationAvailable !== 'function') return false
  try {
    return (await PublicKeyCredential.isConditionalMediationAvailable()) === true
  } catch {
    return false
  }
}

function publicKeyOf(options) {
  // A JSON string is accepted too: that is how Descope itself sends options.
  const parsed = typeof options === 'string' ? JSON.parse(options) : options
  if (!isObject(parsed) || !isObject(parsed.publicKey)) {
    throw new TypeError('The server sent passkey options this page does not understand.')
  }
  return parsed.publicKey
}

function creationOptions(json) {
  if (typeof PublicKeyCredential.parseCreationOptionsFromJSON === 'function') {
    return PublicKeyCredential.parseCreationOptionsFromJSON(json)
  }
  return {
    ...json,
    challenge: fromBase64url(json.challenge),
    user: { ...json.user, id: fromBase64url(json.user?.id) },
    excludeCredentials: (json.excludeCredentials ?? []).map(descriptorFromJSON),
  }
}

function requestOptions(json) {
  if (typeof PublicKeyCredential.parseRequestOptionsFromJSON === 'function') {
    return PublicKeyCredential.parseRequestOptionsFromJSON(json)
  }
  return {
    ...json,
    challenge: fromBase64url(json.challenge),
    allowCredentials: (json.allowCredentials ?? []).map(descriptorFromJSON),
  }
}

function descriptorFromJSON(descriptor) {
  return { ...descriptor, id: fromBase64url(descriptor.id) }
}

/** WebAuthn JSON of a credential: the browser's `toJSON()`, or the same shape built by hand. */
function credentialToJSON(credential) {
  if (!credential) throw new DOMException('No credential was returned.', 'NotAllowedError')
  if (typeof credential.toJSON === 'function') return credential.toJSON()
  const response = credential.response
  const json = {
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    authenticatorAttachment: credential.authenticatorAttachment ?? undefined,
    clientExtensionResults: credential.getClientExtensionResults?.() ?? {},
    response: { clientDataJSON: toBase64url(response.clientDataJSON) },
  }
  if ('attestationObject' in response) {
    json.response.attestationObject = toBase64url(response.attestationObject)
    json.response.transports = response.getTransports?.() ?? []
  } else {
    json.response.authenticatorData = toBase64url(response.authenticatorData)
    json.response.signature = toBase64url(response.signature)
    if (response.userHandle) json.response.userHandle = toBase64url(response.userHandle)
  }
  return json
}

/** base64url (padding optional) → bytes. */
export function fromBase64url(text) {
  if (typeof text !== 'string') throw new TypeError('Expected a base64url string.')
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/')
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4))
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

/** bytes → unpadded base64url. */
export function toBase64url(buffer) {
  const bytes = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer)
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

function isObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
