/**
 * The page's one table of messages (static/messages.js) against the edge's one catalogue of
 * error codes (src/errors.ts): every code the API can answer has the page's own words, and a
 * server's developer text, an unknown code or a prototype key never reaches a person.
 */
import { describe, expect, it } from 'vitest'
import { ERRORS } from '../../src/errors'

interface PageMessages {
  MESSAGES: Record<string, string>
  message(key: string, values?: Record<string, string | number>): string
  describeError(error: unknown): { text: string; tone: string }
}
interface PageApi {
  ApiError: new (code: string, message: string, status: number, headers?: Headers) => Error
}

// Plain browser modules, loaded as they are served (no build step, no type declarations).
const page = (await import(new URL('../../static/messages.js', import.meta.url).href)) as PageMessages
const { ApiError } = (await import(new URL('../../static/api.js', import.meta.url).href)) as PageApi

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
})
