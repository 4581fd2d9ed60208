/**
 * @module
 * Reading what clients send, as leniently as Descope does (docs/descope-contract.md §2, §13):
 * a missing or empty body is `{}`, keys match case-insensitively (`transactionID` from Go),
 * unknown keys are ignored, and the refresh JWT comes from `Bearer <pid>:<jwt>` or the DSR cookie.
 */
import { ApiError, malformed, missingArgument } from './errors'

/** Descope project IDs: `P` + 27 (legacy) or 31 (regional) alphanumerics. */
export const PROJECT_ID = /^P[A-Za-z0-9]{27}(?:[A-Za-z0-9]{4})?$/

/** Bodies the emulator takes at all; Descope's requests are a few KiB. */
const MAX_BODY_BYTES = 1024 * 1024

/**
 * The request with its body read to the end first. Answering without reading a body (an unknown
 * route, a fault, an error) would leave workerd with an unread request stream ("Can't read from
 * request stream after response has been sent"), an uncaught error that can restart the Worker
 * and stall the next request on the connection. Both this front and the project's Durable Object
 * buffer, so no route anywhere can leave a body unread.
 */
export async function withBufferedBody(request: Request): Promise<Request> {
  if (!request.body) return request
  const declared = Number(request.headers.get('Content-Length') ?? 0)
  if (declared > MAX_BODY_BYTES) {
    await drain(request.body)
    throw new ApiError(413, 'E011001', 'Bad request', 'Request body is too large')
  }
  const body = await request.arrayBuffer()
  if (body.byteLength > MAX_BODY_BYTES) throw new ApiError(413, 'E011001', 'Bad request', 'Request body is too large')
  const keepsBody = request.method !== 'GET' && request.method !== 'HEAD'
  return new Request(request.url, { method: request.method, headers: request.headers, body: keepsBody ? body : null, redirect: 'manual' })
}

/** Bodies past this are cut off instead of drained: nobody sends Descope that much. */
const MAX_DRAINED_BYTES = 16 * MAX_BODY_BYTES

/**
 * Reads an oversized body to its end without keeping it, so the 413 reaches a client that is
 * still writing: cancelling resets the connection under it (EPIPE instead of the answer).
 */
async function drain(body: ReadableStream<Uint8Array>): Promise<void> {
  const reader = body.getReader()
  let read = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return
    read += value.byteLength
    if (read > MAX_DRAINED_BYTES) return reader.cancel()
  }
}

/** The body as an object; `{}` when absent or empty; E011001 when not a JSON object. */
export async function readBody(request: Request): Promise<Record<string, unknown>> {
  const text = await request.text()
  if (!text.trim()) return {}
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw malformed('Request body is not valid JSON')
  }
  if (!isRecord(parsed)) throw malformed('Request body must be a JSON object')
  return parsed
}

/** A field by name, matching keys case-insensitively (the real server accepts Go's `transactionID`). */
export function field(body: Record<string, unknown>, name: string): unknown {
  if (name in body) return body[name]
  const lower = name.toLowerCase()
  const key = Object.keys(body).find((candidate) => candidate.toLowerCase() === lower)
  return key === undefined ? undefined : body[key]
}

/** A string field, or undefined when absent, empty or not a string. */
export function stringField(body: Record<string, unknown>, name: string): string | undefined {
  const value = field(body, name)
  return typeof value === 'string' && value !== '' ? value : undefined
}

/** A required non-empty string field (E011002 otherwise). */
export function requireString(body: Record<string, unknown>, name: string): string {
  const value = stringField(body, name)
  if (value === undefined) throw missingArgument(name)
  return value
}

/** An object field, or `{}`. */
export function objectField(body: Record<string, unknown>, name: string): Record<string, unknown> {
  const value = field(body, name)
  return isRecord(value) ? value : {}
}

/** The project ID and the refresh JWT (if any) from `Authorization: Bearer <pid>[:<jwt>[:<key>]]`. */
export function readBearer(request: Request): { projectId?: string; token?: string } {
  const header = request.headers.get('Authorization') ?? ''
  const match = /^Bearer\s+(.+)$/i.exec(header.trim())
  if (!match?.[1]) return {}
  const [projectId, ...rest] = match[1].split(':')
  // node-sdk may append an auth management key; only a JWT-looking part is the refresh token.
  const token = rest.find((part) => part.split('.').length === 3)
  return { projectId: projectId || undefined, token }
}

/** The refresh JWT: from the Authorization header, else the refresh cookie (cookie mode). */
export function readRefreshToken(request: Request): string | undefined {
  const fromHeader = readBearer(request).token
  if (fromHeader) return fromHeader
  const name = request.headers.get('x-descope-refresh-cookie-name') || 'DSR'
  for (const part of (request.headers.get('Cookie') ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=')
    if (key === name && value.length > 0) return value.join('=') || undefined
  }
  return undefined
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
