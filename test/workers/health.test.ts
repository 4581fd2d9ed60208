import { exports } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'

describe('GET /healthz', () => {
  it('should answer 200 {ok: true} with a valid configuration', async () => {
    const response = await exports.default.fetch('https://edge.example/healthz')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ ok: true })
    expect(response.headers.get('Cache-Control')).toBe('no-store')
  })

  it('should reach the emulator through the outbound service', async () => {
    const response = await fetch('http://emulator.localhost/v2/keys/P2passkeyedgetest0000000000A')
    const { keys } = (await response.json()) as { keys: Record<string, unknown>[] }
    expect(keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: expect.stringMatching(/^SK/) })
  })
})
