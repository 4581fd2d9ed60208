import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { defaultBaseUrl, readConfig } from '../../src/config'
import type { Env } from '../../src/env'
import { edgeFetch } from '../support/edge'

afterEach(() => vi.restoreAllMocks())

async function healthWith(overrides: Partial<Env>) {
  const log = vi.spyOn(console, 'error').mockImplementation(() => {})
  const response = await edgeFetch('/healthz', undefined, overrides)
  return { response, body: (await response.json()) as { error?: { code: string; message: string } }, log }
}

describe('configuration (T12)', () => {
  it.each([
    ['DESCOPE_PROJECT_ID', { DESCOPE_PROJECT_ID: '' }],
    ['DESCOPE_PROJECT_ID', { DESCOPE_PROJECT_ID: 'not-a-project' }],
    ['DESCOPE_PROJECT_ID', { DESCOPE_PROJECT_ID: 'P2short' }],
    ['ALLOWED_ORIGINS', { ALLOWED_ORIGINS: '' }],
    ['ALLOWED_ORIGINS', { ALLOWED_ORIGINS: '*' }],
    ['ALLOWED_ORIGINS', { ALLOWED_ORIGINS: 'https://app.example.com/' }],
    ['ALLOWED_ORIGINS', { ALLOWED_ORIGINS: 'https://*.example.com' }],
    ['ALLOWED_ORIGINS', { ALLOWED_ORIGINS: 'https://APP.example.com' }],
    ['ALLOWED_ORIGINS', { ALLOWED_ORIGINS: 'null' }],
    ['ALLOWED_ORIGINS', { ALLOWED_ORIGINS: 'ftp://files.example.com' }],
    ['DESCOPE_BASE_URL', { DESCOPE_BASE_URL: 'not a url' }],
    ['DESCOPE_BASE_URL', { DESCOPE_BASE_URL: 'http://api.descope.com' }],
    ['DESCOPE_BASE_URL', { DESCOPE_BASE_URL: 'https://api.descope.com/?x=1' }],
    ['DESCOPE_BASE_URL', { DESCOPE_BASE_URL: 'https://user:pw@api.descope.com' }],
    ['TRANSACTIONS', { TRANSACTIONS: undefined }],
    ['SESSION_COOKIE_NAME', { SESSION_COOKIE_NAME: 'bad name;' }],
    ['REFRESH_COOKIE_NAME', { REFRESH_COOKIE_NAME: '__Host-DS' }],
    ['REFRESH_COOKIE_NAME', { SESSION_COOKIE_NAME: 'sid', REFRESH_COOKIE_NAME: ' sid ' }],
    ['CLOCK_TOLERANCE_SECONDS', { CLOCK_TOLERANCE_SECONDS: '60' }],
    ['CLOCK_TOLERANCE_SECONDS', { CLOCK_TOLERANCE_SECONDS: 'five' }],
    ['DESCOPE_TIMEOUT_MS', { DESCOPE_TIMEOUT_MS: '-1' }],
    ['TRANSACTION_TTL_SECONDS', { TRANSACTION_TTL_SECONDS: '1.5' }],
  ] as const)('should answer 500 naming %s when it is %j', async (variable, overrides) => {
    const { response, body, log } = await healthWith(overrides as Partial<Env>)
    expect(response.status).toBe(500)
    expect(response.headers.get('Content-Type')).toMatch(/^application\/json/)
    expect(body.error?.code).toBe('configuration_error')
    expect(body.error?.message).toContain(variable)
    expect(log).toHaveBeenCalledWith(expect.stringContaining(variable))
  })

  it('should fail every route, not only /healthz', async () => {
    const { response, body } = await healthWith({ DESCOPE_PROJECT_ID: '' })
    expect(response.status).toBe(500)
    const other = await edgeFetch('/auth/session', undefined, { DESCOPE_PROJECT_ID: '' })
    expect(other.status).toBe(500)
    expect(body.error?.code).toBe('configuration_error')
  })

  it('should accept the configured values and answer /healthz', async () => {
    const response = await edgeFetch('/healthz')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ ok: true })
  })

  it('should apply the documented defaults', () => {
    const config = readConfig({
      DESCOPE_PROJECT_ID: 'P2aaaaaaaaaaaaaaaaaaaaaaaaaa',
      ALLOWED_ORIGINS: 'https://example.com, https://app.example.com',
      TRANSACTIONS: env.TRANSACTIONS,
    })
    expect(config.baseUrl).toBe('https://api.descope.com')
    expect(config.transactions).toBe(env.TRANSACTIONS)
    expect([...config.allowedOrigins]).toEqual(['https://example.com', 'https://app.example.com'])
    expect(config.sessionCookieName).toBe('__Host-DS')
    expect(config.refreshCookieName).toBe('__Host-DSR')
    expect(config.clockToleranceSeconds).toBe(5)
    expect(config.audience).toBeUndefined()
    expect(config.transactionTtlSeconds).toBe(300)
  })

  it('should read DESCOPE_BASE_URI when DESCOPE_BASE_URL is unset, and strip a trailing slash', () => {
    const config = readConfig({
      DESCOPE_PROJECT_ID: 'P2aaaaaaaaaaaaaaaaaaaaaaaaaa',
      ALLOWED_ORIGINS: 'https://example.com',
      TRANSACTIONS: env.TRANSACTIONS,
      DESCOPE_BASE_URI: 'https://auth.example.com/',
    })
    expect(config.baseUrl).toBe('https://auth.example.com')
  })
})

describe('defaultBaseUrl', () => {
  it('should use api.descope.com for 28-character project IDs', () => {
    expect(defaultBaseUrl('P2aaaaaaaaaaaaaaaaaaaaaaaaaa')).toBe('https://api.descope.com')
  })

  it('should use the region of a 32-character project ID, as core-js does', () => {
    expect(defaultBaseUrl('Peuc1aaaaaaaaaaaaaaaaaaaaaaaaaaa')).toBe('https://api.euc1.descope.com')
    expect(defaultBaseUrl('Puse1aaaaaaaaaaaaaaaaaaaaaaaaaaa')).toBe('https://api.use1.descope.com')
  })
})
