/**
 * @module
 * The emulator under `wrangler dev` (as `npm run dev` runs it) answers requests whose bodies it
 * never needs — unknown routes, refused projects, injected faults — and the next request is
 * answered at once, with no uncaught error in workerd's log. Before the emulator read every body
 * to the end, workerd logged "Uncaught TypeError: Can't read from request stream after response
 * has been sent" for each; with wrangler 4.86 every other answer was then a 503 "worker
 * restarted" and a request after one hung. Plain Miniflare (the node tests) never showed it:
 * this needs wrangler's dev proxy and a client that sends the body late (curl's `Expect:
 * 100-continue`), so it runs against the dev stack that way.
 */
import { readFileSync, statSync } from 'node:fs'
import { request } from 'node:http'
import { describe, expect, inject, it } from 'vitest'

const emulatorUrl = inject('emulatorUrl')
const projectId = inject('e2eProjectId')
const devStackLog = inject('devStackLog')

describe.skipIf(!emulatorUrl)('emulator under wrangler dev: bodies it does not read', () => {
  it('should answer each request, and the next one at once', async () => {
    const logStart = statSync(devStackLog).size
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
      const answer = await sendExpectingContinue(method, url, body)
      expect(`${method} ${url} → ${answer}`).toBe(`${method} ${url} → ${status}`)
      const started = Date.now()
      const next = await fetch(`${control}/calls`, { signal: AbortSignal.timeout(5_000) })
      expect(next.status).toBe(200)
      await next.json()
      expect(Date.now() - started).toBeLessThan(1_000)
    }
    // workerd reports an uncaught error after the answer: give its log a moment.
    await new Promise((resolve) => setTimeout(resolve, 300))
    const logged = readFileSync(devStackLog).subarray(logStart).toString()
    expect(logged).not.toMatch(/Uncaught|request stream/)
  })
})

/**
 * Sends `body` the way curl sends a large one: `Expect: 100-continue`, the body only after the
 * server says go on, so the server can answer before it has read a byte of it. The status.
 */
function sendExpectingContinue(method: string, url: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, {
      method,
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${projectId}`, 'Content-Length': Buffer.byteLength(body), Expect: '100-continue' },
      timeout: 5_000,
    })
    outgoing.on('continue', () => outgoing.end(body))
    outgoing.on('response', (response) => {
      response.resume()
      response.on('end', () => resolve(response.statusCode ?? 0))
      // An answer before the server asked for the body: send it anyway, as curl does after its wait.
      if (!outgoing.writableEnded) outgoing.end(body)
    })
    outgoing.on('timeout', () => outgoing.destroy(new Error(`${method} ${url}: no answer in 5 s`)))
    outgoing.on('error', reject)
  })
}
