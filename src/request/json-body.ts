/**
 * @module
 * Reads a request body as a JSON object: `application/json` only (415), at most `maxBytes`
 * actually read (413, whatever `Content-Length` claims), well-formed (400). Shapes are checked by
 * the routes.
 */
import type { Context } from 'hono'
import { AppError } from '../errors.ts'
import { readCapped } from '../lib/capped-read.ts'
import { isRecord } from '../lib/is-record.ts'

/** Start and session bodies are tiny; finish bodies carry an attestation (a few KiB). */
const MAX_BODY_BYTES = 64 * 1024

const JSON_MEDIA_TYPE = /^application\/json\s*(?:;\s*charset\s*=\s*"?utf-8"?\s*)?$/i

export async function readJsonObject(c: Context, maxBytes = MAX_BODY_BYTES): Promise<Record<string, unknown>> {
  const contentType = c.req.header('Content-Type') ?? ''
  if (!JSON_MEDIA_TYPE.test(contentType.trim())) throw new AppError('unsupported_media_type')
  const declared = c.req.header('Content-Length')
  if (declared !== undefined && !/^\d+$/.test(declared.trim())) throw invalid('The Content-Length header is malformed.')
  if (declared !== undefined && Number(declared) > maxBytes) throw tooLarge(maxBytes)
  const text = await readText(c.req.raw, maxBytes)
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw invalid('The body is not valid JSON.')
  }
  if (!isRecord(body)) throw invalid('The body must be a JSON object.')
  return body
}

async function readText(request: Request, maxBytes: number): Promise<string> {
  let bytes: Uint8Array | undefined
  try {
    bytes = await readCapped(request.body, maxBytes)
    if (bytes) return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes)
  } catch {
    throw invalid('The body could not be read as UTF-8.')
  }
  throw tooLarge(maxBytes)
}

function invalid(message: string): AppError {
  return new AppError('invalid_request', { message })
}

function tooLarge(maxBytes: number): AppError {
  return new AppError('payload_too_large', { message: `The body is larger than ${maxBytes} bytes.` })
}
