/**
 * `npm run smoke` (scripts/smoke.mjs) against the dev stack, as an operator runs it against a
 * deployment: every step passes, and a broken passkey domain fails with the cause named. Keeps the
 * live check from rotting.
 */
import { spawn } from 'node:child_process'
import { describe, expect, inject, it } from 'vitest'
import { emulatorControl } from '../support/emulator-control.mjs'

const baseUrl = inject('baseUrl')
const chromiumPath = inject('chromiumPath')
const emulator = emulatorControl(inject('e2eProjectId'), inject('emulatorUrl'))

/** Runs the smoke script; its exit code and output. */
function smoke(target: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['scripts/smoke.mjs', target], { env: { ...process.env, CHROMIUM_PATH: chromiumPath } })
    let output = ''
    child.stdout.on('data', (chunk) => {
      output += chunk
    })
    child.stderr.on('data', (chunk) => {
      output += chunk
    })
    child.on('exit', (code) => resolve({ code, output }))
  })
}

describe.skipIf(!chromiumPath)('npm run smoke against the dev stack', () => {
  it('should pass every step: health, readiness, sign-up, session, protected route, refresh, sign-out everywhere', async () => {
    const { code, output } = await smoke(baseUrl)
    expect(output).not.toMatch(/^(FAIL|SKIP) /m)
    expect(output.match(/^PASS /gm)).toHaveLength(8)
    expect(output).toMatch(/"passkeyDomain":"ok"/)
    expect(code, output).toBe(0)
  })

  it('should fail at sign-up and name the cause when the passkey domain is not the page’s host', async () => {
    const options = JSON.stringify({
      publicKey: {
        rp: { id: 'other.example', name: 'x' },
        user: { id: 'AAAA', name: 'x', displayName: 'x' },
        challenge: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
        pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
      },
    })
    await emulator.fault({ route: 'POST /v1/auth/webauthn/signup/start', status: 200, body: { transactionId: 'T1', options, create: true }, times: 1 })
    const { code, output } = await smoke(baseUrl)
    await emulator.clearFaults()
    expect(code).toBe(1)
    expect(output).toMatch(/^FAIL sign-up start .* passkey domain ≠ the page's host: options\.publicKey\.rp\.id is other\.example, the host is localhost/m)
    expect(output).toMatch(/^SKIP a refresh at the edge/m)
  })

  it('should refuse to run without a target', async () => {
    const { code, output } = await smoke('not-a-url')
    expect([code, output]).toEqual([2, expect.stringContaining('usage: npm run smoke -- https://your.host')])
  })
})
