/**
 * @module
 * The WebAuthn endpoints (docs/descope-contract.md §3.1–§3.7): starts create single-use transactions, finishes
 * take them and verify the authenticator's answer for real.
 */
import { Hono } from 'hono'
import type { ProjectEnv } from './context'
import { tokenResponse } from './cookies'
import { randomToken } from './encoding'
import { invalidRequest, missingArgument, unauthorized, userExists, userNotFound } from './errors'
import { field, objectField, readBody, readRefreshToken, requireString, stringField } from './request'
import { openSession, requireRefresh } from './sessions'
import type { StoredCredential, StoredUser, Transaction } from './store'
import { newUser, newUserId } from './users'
import {
  creationOptions,
  hostWithin,
  parseCredential,
  readPasskeyOptions,
  requestOptions,
  rpIdFor,
  userHandleMatches,
  verifyAssertion,
  verifyRegistration,
} from './webauthn'
import type { Context } from 'hono'

type Ctx = Context<ProjectEnv>

export const flows = new Hono<ProjectEnv>()

flows.post('/signup/start', async (c) => {
  const body = await readBody(c.req.raw)
  const user = objectField(body, 'user')
  // core-js sends `user.loginId`; Go, Swift and Kotlin a top-level `loginId`.
  const loginId = stringField(body, 'loginId') ?? stringField(user, 'loginId')
  if (!loginId) throw missingArgument('loginId')
  const origin = stringField(body, 'origin')
  const rpId = rpIdFor(origin, c.env.rpId)
  if (await c.env.store.userByLoginId(loginId)) throw userExists()
  return c.json(await startSignUp(c, { loginId, origin: origin ?? '', rpId, body, user }))
})

flows.post('/signin/start', async (c) => {
  const body = await readBody(c.req.raw)
  // An empty login ID starts a usernameless (discoverable credential) sign-in.
  const loginId = stringField(body, 'loginId') ?? ''
  const origin = stringField(body, 'origin')
  const rpId = rpIdFor(origin, c.env.rpId)
  const user = loginId ? await c.env.store.userByLoginId(loginId) : undefined
  if (loginId && !user) throw userNotFound()
  return c.json(await startSignIn(c, { loginId, origin: origin ?? '', rpId, body, user }))
})

flows.post('/signup-in/start', async (c) => {
  const body = await readBody(c.req.raw)
  const loginId = requireString(body, 'loginId')
  const origin = stringField(body, 'origin')
  const rpId = rpIdFor(origin, c.env.rpId)
  const user = await c.env.store.userByLoginId(loginId)
  // A known user with passkeys signs in; an unknown one signs up. Never `create` for a user with
  // passkeys: that would enrol a key without authentication.
  if (user && user.credentialIds.length > 0) return c.json(await startSignIn(c, { loginId, origin: origin ?? '', rpId, body, user }))
  // A user without passkeys: Descope's answer is unpublished, so the project setting picks one.
  const passkeyless = user ? c.env.store.settings().passkeyless_signup_in : undefined
  if (passkeyless === 'refuse') throw invalidRequest('User has no passkey')
  const existing = passkeyless === 'attach' ? user : undefined
  return c.json(await startSignUp(c, { loginId, origin: origin ?? '', rpId, body, user: objectField(body, 'user'), existing }))
})

flows.post('/update/start', async (c) => {
  const body = await readBody(c.req.raw)
  const { session, user } = await requireRefresh(c.env, readRefreshToken(c.req.raw))
  const loginId = requireString(body, 'loginId')
  if (!c.env.store.hasLoginId(user, loginId)) throw unauthorized('Refresh token does not belong to this user')
  const origin = stringField(body, 'origin')
  const rpId = rpIdFor(origin, c.env.rpId)
  const passkey = readPasskeyOptions(objectField(body, 'passkeyOptions'))
  const transaction = newTransaction(c, 'update', { loginId, origin: origin ?? '', rpId, userId: user.userId, userVerification: passkey.userVerification })
  transaction.mfa = field(body, 'mfa') === true
  transaction.priorAmr = session.amr
  const exclude = (await c.env.store.credentialsOf(user)).filter((credential) => credential.rpId === rpId)
  await c.env.store.putTransaction(transaction)
  const options = creationOptions({
    rpId,
    challenge: transaction.challenge,
    handle: user.handle,
    loginId,
    displayName: user.name,
    exclude,
    passkey,
    seconds: transactionSeconds(c),
  })
  return c.json({ transactionId: transaction.id, options, create: true })
})

flows.post('/signup/finish', async (c) => {
  const { transaction, credential } = await readFinish(c, 'signup')
  const { store } = c.env
  const verified = await verifyRegistration(transaction, credential, store.now())
  if (await store.credential(verified.id)) throw invalidRequest('Passkey is already registered')
  const taken = await store.userByLoginId(transaction.loginId)
  if (taken && taken.userId !== transaction.userId) throw userExists()
  const user = taken ?? newUser(transaction, store.now())
  user.credentialIds.push(verified.id)
  await store.putCredential({ ...verified, userId: user.userId })
  await store.putUser(user)
  const answer = await openSession(c.env, user, {
    amr: ['webauthn'],
    su: false,
    customClaims: transaction.customClaims,
    firstSeen: !taken,
    tenantId: transaction.tenantId,
  })
  return tokenResponse(store.settings(), answer)
})

flows.post('/signin/finish', async (c) => {
  const { transaction, credential } = await readFinish(c, 'signin')
  const { store } = c.env
  // Without a login ID at start (transaction.userId empty) the credential names the user. The same
  // answer for every mismatch: no oracle on which credentials exist.
  const stored = await store.credential(credential.id)
  if (!stored || stored.rpId !== transaction.rpId || (transaction.userId && stored.userId !== transaction.userId)) {
    throw invalidRequest('Passkey is not registered for this user')
  }
  const user = await store.user(stored.userId)
  if (user?.status !== 'enabled') throw invalidRequest('Passkey is not registered for this user')
  // A discoverable credential also returns the user handle it was made for: it must be this user's.
  if (credential.userHandle !== undefined && !userHandleMatches(credential.userHandle, user.handle)) {
    throw invalidRequest('Passkey is not registered for this user')
  }
  stored.counter = await verifyAssertion(transaction, credential, stored)
  await store.putCredential(stored)
  const amr = transaction.stepup || transaction.mfa ? merge(transaction.priorAmr, ['webauthn']) : ['webauthn']
  const answer = await openSession(c.env, user, {
    amr,
    su: transaction.stepup,
    customClaims: transaction.customClaims,
    firstSeen: false,
    tenantId: transaction.tenantId,
  })
  return tokenResponse(store.settings(), answer)
})

flows.post('/update/finish', async (c) => {
  const { transaction, credential } = await readFinish(c, 'update')
  const { store } = c.env
  const user = await store.user(transaction.userId)
  if (!user) throw invalidRequest('Transaction user no longer exists')
  const verified = await verifyRegistration(transaction, credential, store.now())
  if (await store.credential(verified.id)) throw invalidRequest('Passkey is already registered')
  user.credentialIds.push(verified.id)
  await store.putCredential({ ...verified, userId: user.userId })
  await store.putUser(user)
  if (!transaction.mfa) return c.json({})
  const amr = merge(transaction.priorAmr, ['webauthn'])
  const answer = await openSession(c.env, user, { amr, su: false, customClaims: {}, firstSeen: false })
  return tokenResponse(store.settings(), answer, (jwt) => ({ jwt }))
})

async function startSignUp(
  c: Ctx,
  input: { loginId: string; origin: string; rpId: string; body: Record<string, unknown>; user: Record<string, unknown>; existing?: StoredUser }
) {
  const { loginId, origin, rpId, body, user, existing } = input
  const passkey = readPasskeyOptions(objectField(body, 'passkeyOptions'))
  const { userId, handle } = existing ? { userId: existing.userId, handle: existing.handle } : newUserId()
  const transaction = newTransaction(c, 'signup', { loginId, origin, rpId, userId, userVerification: passkey.userVerification })
  transaction.handle = handle
  transaction.details = {
    name: stringField(user, 'name'),
    givenName: stringField(user, 'givenName'),
    middleName: stringField(user, 'middleName'),
    familyName: stringField(user, 'familyName'),
    email: stringField(user, 'email'),
    phone: stringField(user, 'phone'),
  }
  transaction.customClaims = customClaimsOf(body)
  transaction.tenantId = tenantIdOf(body)
  await c.env.store.putTransaction(transaction)
  const displayName = transaction.details.name ?? existing?.name ?? loginId
  const options = creationOptions({
    rpId,
    challenge: transaction.challenge,
    handle,
    loginId,
    displayName,
    exclude: [],
    passkey,
    seconds: transactionSeconds(c),
  })
  return { transactionId: transaction.id, options, create: true }
}

async function startSignIn(c: Ctx, input: { loginId: string; origin: string; rpId: string; body: Record<string, unknown>; user?: StoredUser }) {
  const { loginId, origin, body, user } = input
  const loginOptions = objectField(body, 'loginOptions')
  const stepup = loginOptions.stepup === true
  const mfa = loginOptions.mfa === true
  let priorAmr: string[] = []
  if (stepup || mfa) {
    // Step-up and MFA vouch with the current refresh session, which must be this user's.
    const { session, user: signedIn } = await requireRefresh(c.env, readRefreshToken(c.req.raw))
    if (!user || signedIn.userId !== user.userId) throw unauthorized('Refresh token does not belong to this user')
    priorAmr = session.amr
  }
  const passkey = readPasskeyOptions(objectField(body, 'passkeyOptions'))
  let rpId = input.rpId
  let allow: StoredCredential[] = []
  if (user) {
    // Passkeys usable here: their RP ID is the origin's host or a parent domain of it.
    const host = new URL(origin).hostname
    const usable = (await c.env.store.credentialsOf(user)).filter((credential) => hostWithin(host, credential.rpId))
    const newest = usable.at(-1)
    if (!newest) throw invalidRequest('User has no passkey for this origin')
    rpId = newest.rpId
    allow = usable.filter((credential) => credential.rpId === rpId)
  }
  const transaction = newTransaction(c, 'signin', { loginId, origin, rpId, userId: user?.userId ?? '', userVerification: passkey.userVerification })
  transaction.stepup = stepup
  transaction.mfa = mfa
  transaction.priorAmr = priorAmr
  transaction.customClaims = customClaimsOf(body)
  transaction.tenantId = tenantIdOf(body)
  await c.env.store.putTransaction(transaction)
  return {
    transactionId: transaction.id,
    options: requestOptions({ rpId, challenge: transaction.challenge, allow, passkey, seconds: transactionSeconds(c) }),
    create: false,
  }
}

function newTransaction(
  c: Ctx,
  flow: Transaction['flow'],
  input: { loginId: string; origin: string; rpId: string; userId: string; userVerification: Transaction['userVerification'] }
): Transaction {
  return {
    id: randomToken(24),
    flow,
    origin: input.origin,
    rpId: input.rpId,
    challenge: randomToken(32),
    exp: c.env.store.now() + transactionSeconds(c),
    loginId: input.loginId,
    userId: input.userId,
    userVerification: input.userVerification,
    stepup: false,
    mfa: false,
    priorAmr: [],
    customClaims: {},
  }
}

/** How long a transaction lasts (setting `transaction_seconds`). */
function transactionSeconds(c: Ctx): number {
  return c.env.store.settings().transaction_seconds
}

/** The finish body's transaction (taken: single use, whatever happens next) and credential. */
async function readFinish(c: Ctx, flow: Transaction['flow']) {
  const body = await readBody(c.req.raw)
  const transactionId = requireString(body, 'transactionId')
  const response = field(body, 'response')
  if (response === undefined || response === null || response === '') throw missingArgument('response')
  const transaction = await c.env.store.takeTransaction(transactionId)
  if (!transaction || transaction.flow !== flow) throw invalidRequest('Transaction expired or not found')
  return { transaction, credential: parseCredential(response) }
}

function customClaimsOf(body: Record<string, unknown>): Record<string, unknown> {
  const claims = objectField(body, 'loginOptions').customClaims
  return typeof claims === 'object' && claims !== null && !Array.isArray(claims) ? (claims as Record<string, unknown>) : {}
}

/** `loginOptions.tenantId`: the tenant the session should start in (when the user is in it). */
function tenantIdOf(body: Record<string, unknown>): string | undefined {
  return stringField(objectField(body, 'loginOptions'), 'tenantId')
}

function merge(first: string[], second: string[]): string[] {
  return [...new Set([...first, ...second])]
}
