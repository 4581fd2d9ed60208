/**
 * @module
 * The emulator under `wrangler dev` (as `npm run dev` runs it) answers requests whose bodies it
 * never needs — unknown routes, refused projects, injected faults — and the next request is
 * answered at once. Before the emulator read every body to the end, workerd logged "Can't read
 * from request stream after response has been sent", every other answer was a 503 "worker
 * restarted" and a request after one hung. Plain Miniflare (the node tests) never showed it:
 * this needs wrangler's dev proxy, so it runs against the dev stack.
 */
import { describe, expect, inject, it } from 'vitest'

const emulatorUrl = inject('emulatorUrl')
const projectId = inject('e2eProjectId')

describe.skipIf(!emulatorUrl)('emulator under wrangler dev: bodies it does not read', () => {
  it('should answer each request, and the next one at once', async () => {
    const control = `${emulatorUrl}/emulator/${projectId}`
    // A fault answers without looking at the body; latency-free and limited, so nothing else sees it.
    const fault = await fetch(`${control}/faults`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ route: 'POST /v1/auth/logoutall', status: 500, times: 2 }),
    })
    expect(fault.status).toBe(200)
    const body = JSON.stringify({ padding: 'x'.repeat(64 * 1024) })
    const requests: Array<[string, string, number]> = [
      ['PUT', `${control}/no-such-control`, 404],
      ['PUT', `${control}/no-such-control`, 404],
      ['PUT', `${control}/no-such-control`, 404],
      ['PUT', `${control}/no-such-control`, 404],
      ['POST', `${emulatorUrl}/not-the-api`, 404],
      ['POST', `${emulatorUrl}/emulator/Pmalformed/faults`, 400],
      ['POST', `${emulatorUrl}/v1/auth/logoutall`, 500],
      ['POST', `${emulatorUrl}/v1/auth/logoutall`, 500],
    ]
    for (const [method, url, status] of requests) {
      const answer = await fetch(url, {
        method,
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${projectId}` },
        body,
        signal: AbortSignal.timeout(5_000),
      })
      expect(`${method} ${url} → ${answer.status}`).toBe(`${method} ${url} → ${status}`)
      await answer.body?.cancel()
      const started = Date.now()
      const next = await fetch(`${control}/calls`, { signal: AbortSignal.timeout(5_000) })
      expect(next.status).toBe(200)
      await next.json()
      expect(Date.now() - started).toBeLessThan(1_000)
    }
  })
})
