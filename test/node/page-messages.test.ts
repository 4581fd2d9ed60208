/**
 * The page's one table of messages (static/messages.js) against the edge's one catalogue of
 * error codes (src/errors.ts): every code the API can answer has the page's own words, and a
 * server's developer text, an unknown code or a prototype key never reaches a person.
 */
import { describe, expect, it } from 'vitest'
import { ERRORS } from '../../src/errors'

interface PageMessages {
  MESSAGES: Record<string, string>
  tableFor(lang: string): Record<string, string>
  message(key: string, values?: Record<string, string | number>): string
  describeError(error: unknown): { text: string; tone: string }
}
interface PageApi {
  ApiError: new (code: string, message: string, status: number, headers?: Headers, requestId?: string) => Error
  get(path: string): Promise<unknown>
}

// Plain browser modules, loaded as they are served (no build step, no type declarations).
const page = (await import(new URL('../../static/messages.js', import.meta.url).href)) as PageMessages
const { ApiError, get } = (await import(new URL('../../static/client/api.js', import.meta.url).href)) as PageApi
const { MESSAGES_DE } = (await import(new URL('../../static/messages-de.js', import.meta.url).href)) as { MESSAGES_DE: Record<string, string> }

/** The `{placeholders}` of a sentence, sorted. */
const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map(([, name]) => name).sort()

describe('the page’s messages', () => {
  it('should word every error code of the API', () => {
    const missing = Object.keys(ERRORS).filter((code) => !Object.hasOwn(page.MESSAGES, code))
    expect(missing).toEqual([])
  })

  it('should describe an API error by its code, never by the server’s message', () => {
    for (const [code, { status }] of Object.entries(ERRORS)) {
      const { text, tone } = page.describeError(new ApiError(code, `server text for ${code}`, status))
      expect(text).not.toContain('server text')
      expect(text).not.toMatch(/[{}]/)
      expect(tone).toBe('error')
    }
    const limited = page.describeError(new ApiError('rate_limited', 'x', 429, new Headers({ 'Retry-After': '42' })))
    expect(limited.text).toMatch(/wait 42 seconds/)
  })

  it('should add the request ID to failures on the server’s side, for a person to quote', () => {
    const failed = page.describeError(new ApiError('upstream_error', 'x', 502, new Headers(), '8f1c2a3b4d5e6f70-CDG'))
    expect(failed.text).toBe(`${page.MESSAGES.upstream_error} ${page.message('reference', { id: '8f1c2a3b4d5e6f70-CDG' })}`)
    expect(page.describeError(new ApiError('invalid_transaction', 'x', 400, new Headers(), '8f1c2a3b4d5e6f70-CDG')).text).not.toContain('8f1c2a3b4d5e6f70')
  })

  it('should take the request ID from the error body only when it looks like one', async () => {
    const answer = (requestId: unknown) => async () => Response.json({ error: { code: 'unavailable', message: 'x', requestId } }, { status: 503 })
    const original = globalThis.fetch
    try {
      for (const [sent, kept] of [
        ['8f1c2a3b4d5e6f70-CDG', '8f1c2a3b4d5e6f70-CDG'],
        ['<img src=x onerror=alert(1)>', undefined],
        [42, undefined],
      ]) {
        globalThis.fetch = answer(sent) as typeof fetch
        const error = await get('/auth/session').catch((caught: unknown) => caught)
        expect((error as { requestId?: string }).requestId).toBe(kept)
      }
    } finally {
      globalThis.fetch = original
    }
  })

  it('should fall back for unknown codes and prototype keys', () => {
    for (const code of ['toString', '__proto__', 'constructor', 'no_such_code']) {
      const { text } = page.describeError(new ApiError(code, 'server text', 400))
      expect(text).toBe(page.message('unexpected_response', { status: 400 }))
    }
    expect(page.describeError(new ApiError('no_such_code', 'server text', 503)).text).toBe(page.MESSAGES.internal_error)
    expect(page.message('toString')).toBe(page.MESSAGES.unknown)
  })

  it('should call a cancelled or refused ceremony calm, not an error', () => {
    for (const name of ['NotAllowedError', 'AbortError', 'InvalidStateError']) {
      expect(page.describeError(new DOMException('browser text', name)).tone).toBe('calm')
    }
    expect(page.describeError(new DOMException('browser text', 'SecurityError'))).toEqual({ text: page.MESSAGES.SecurityError, tone: 'error' })
  })

  it('should tell a passkey domain that does not match this host from a page that is not secure', () => {
    const secure = page.describeError(new DOMException('browser text', 'SecurityError')).text
    expect(secure).toMatch(/passkey domain does not match/)
    Object.defineProperty(globalThis, 'isSecureContext', { value: false, configurable: true })
    try {
      expect(page.describeError(new DOMException('browser text', 'SecurityError')).text).toBe(page.MESSAGES.insecure_context)
    } finally {
      Reflect.deleteProperty(globalThis, 'isSecureContext')
    }
  })

  it('should ship a German table with every key and placeholder of the English one, chosen by the page’s language', () => {
    expect(Object.keys(MESSAGES_DE).sort()).toEqual(Object.keys(page.MESSAGES).sort())
    for (const [key, text] of Object.entries(page.MESSAGES)) expect(placeholders(MESSAGES_DE[key] ?? ''), key).toEqual(placeholders(text))
    expect(page.tableFor('de-CH')).toBe(MESSAGES_DE)
    expect(page.tableFor('en-GB')).toBe(page.MESSAGES)
    expect(page.tableFor('fr')).toBe(page.MESSAGES)
  })
})
