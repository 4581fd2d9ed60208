/**
 * @module
 * Magic link by email (docs/descope-contract.md, "Magic link"), as core-js calls it: `signin/email`
 * `{loginId, URI, loginOptions}` answers `{maskedEmail}` and "sends" an email whose link is
 * `URI?t=<token>` (here: into the project's outbox, `GET /emulator/:projectId/outbox`); `verify`
 * `{token}` answers a JWT response, once per token, until the token expires
 * (`magiclink_expiration`).
 */
import { Hono } from 'hono'
import type { ProjectEnv } from './context'
import { tokenResponse } from './cookies'
import { randomToken } from './encoding'
import { ApiError, invalidRequest, missingArgument, userNotFound } from './errors'
import { objectField, readBody, requireString } from './request'
import { openSession } from './sessions'
import type { StoredUser } from './store'

export const magicLink = new Hono<ProjectEnv>()

/** An email-shaped login ID stands in for a user without an email of its own. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

magicLink.post('/signin/email', async (c) => {
  const body = await readBody(c.req.raw)
  const loginId = requireString(body, 'loginId')
  const uri = readUri(body.URI)
  const { store } = c.env
  const user = await store.userByLoginId(loginId)
  if (user?.status !== 'enabled') throw userNotFound()
  const email = emailOf(user, loginId)
  if (!email) throw new ApiError(400, 'E062109', 'User has no email', 'The user has no email address to send the link to')
  const token = randomToken()
  const link = new URL(uri)
  link.searchParams.set('t', token)
  await store.putMagicLink({ token, userId: user.userId, exp: store.now() + store.settings().magiclink_expiration })
  await store.sendEmail({ to: email, loginId, link: link.href, sentAt: store.now() })
  // Customs claims and step-up asked for at start are not modelled: recovery asks for neither.
  objectField(body, 'loginOptions')
  return c.json({ maskedEmail: maskEmail(email) })
})

magicLink.post('/verify', async (c) => {
  const token = requireString(await readBody(c.req.raw), 'token')
  const { store } = c.env
  const found = await store.takeMagicLink(token)
  if (!found) throw new ApiError(401, 'E061102', 'Invalid token', 'The magic link is unknown, used or expired')
  const user = await store.user(found.userId)
  if (user?.status !== 'enabled') throw new ApiError(401, 'E061102', 'Invalid token', 'The magic link is unknown, used or expired')
  const answer = await openSession(c.env, user, { amr: ['email'], su: false, customClaims: {}, firstSeen: false })
  return tokenResponse(store.settings(), answer)
})

function readUri(value: unknown): string {
  if (typeof value !== 'string' || !value) throw missingArgument('URI')
  try {
    const url = new URL(value)
    if (url.protocol === 'https:' || url.protocol === 'http:') return url.href
  } catch {}
  throw invalidRequest('URI is not a valid http(s) URL')
}

function emailOf(user: StoredUser, loginId: string): string {
  if (user.email) return user.email
  return EMAIL.test(loginId) ? loginId : ''
}

/** `a***@example.com`, as Descope masks. */
function maskEmail(email: string): string {
  const at = email.indexOf('@')
  return `${email.slice(0, 1)}***${email.slice(at)}`
}
