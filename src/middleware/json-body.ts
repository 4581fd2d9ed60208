/**
 * @module
 * Reads a request body as a JSON object: `application/json` only (415), at most `maxBytes`
 * actually read (413, whatever `Content-Length` claims), well-formed (400). Shapes are checked by
 * the routes.
 */
import type { Context } from 'hono'
import { AppError } from '../errors'

/** Start and session bodies are tiny; finish bodies carry an attestation (a few KiB). */
export const MAX_BODY_BYTES = 64 * 1024

const JSON_MEDIA_TYPE = /^application\/json\s*(?:;\s*charset\s*=\s*"?utf-8"?\s*)?$/i

export async function readJsonObject(c: Context, maxBytes = MAX_BODY_BYTES): Promise<Record<string, unknown>> {
  const contentType = c.req.header('Content-Type') ?? ''
  if (!JSON_MEDIA_TYPE.test(contentType.trim())) {
    throw new AppError('unsupported_media_type', 415, 'Send the body as application/json.')
  }
  const declared = c.req.header('Content-Length')
  if (declared !== undefined && !/^\d+$/.test(declared.trim())) {
    throw new AppError('invalid_request', 400, 'The Content-Length header is malformed.')
  }
  if (declared !== undefined && Number(declared) > maxBytes) throw tooLarge(maxBytes)
  const text = await readCapped(c.req.raw, maxBytes)
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw new AppError('invalid_request', 400, 'The body is not valid JSON.')
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new AppError('invalid_request', 400, 'The body must be a JSON object.')
  }
  return body as Record<string, unknown>
}

async function readCapped(request: Request, maxBytes: number): Promise<string> {
  if (!request.body) return ''
  const reader = request.body.getReader()
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false })
  let size = 0
  let text = ''
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      size += value.byteLength
      if (size > maxBytes) {
        await reader.cancel()
        throw tooLarge(maxBytes)
      }
      text += decoder.decode(value, { stream: true })
    }
    return text + decoder.decode()
  } catch (error) {
    if (error instanceof AppError) throw error
    throw new AppError('invalid_request', 400, 'The body could not be read as UTF-8.')
  }
}

function tooLarge(maxBytes: number): AppError {
  return new AppError('payload_too_large', 413, `The body is larger than ${maxBytes} bytes.`)
}
