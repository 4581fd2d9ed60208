/**
 * @module
 * `passkey-edge/client` on its own in a real Chromium, as a site's own page would use it: loaded
 * from the Worker's host (`/client/index.js`, the same files the package ships) on a page that is
 * not the demo page, with a virtual authenticator, against the dev stack.
 */
import { readFileSync } from 'node:fs'
import { type Browser, type CDPSession, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { PLATFORM_AUTHENTICATOR } from '../../scripts/lib/chromium.mjs'
import { CHROMIUM_ARGS, clientOf } from './chromium'

type Failure = { name: string; code?: string; status?: number; requestId: string } | null
type SignedIn = { user: Record<string, unknown> | null; created?: boolean }
/** What client-in-page.js answers. */
interface InPage {
  signedUp: SignedIn
  session: { amr?: string[] } | null
  taken: Failure
  afterSignOut: unknown
  signedIn: SignedIn
  again: SignedIn
  refreshed: { sessionExpiration: unknown }
  noLoginId: Failure
  addDeviceSignedOut: Failure
}

const baseUrl = inject('baseUrl')
const chromiumPath = inject('chromiumPath')

describe.skipIf(!chromiumPath)('passkey-edge/client in Chromium', () => {
  let browser: Browser
  let page: Page
  let cdp: CDPSession

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS })
    const context = await browser.newContext(clientOf(import.meta.url))
    page = await context.newPage()
    cdp = await context.newCDPSession(page)
    await cdp.send('WebAuthn.enable', { enableUI: false })
    await cdp.send('WebAuthn.addVirtualAuthenticator', { options: PLATFORM_AUTHENTICATOR })
    // Any page of the host will do: this one runs no script of its own.
    await page.goto(`${baseUrl}/openapi.json`)
  })

  afterAll(async () => {
    await browser?.close()
  })

  it('runs a whole account life through the client: sign-up, session, sign-out, sign-in, add-device, errors', async () => {
    const loginId = `e2e-client-${Date.now().toString(36)}@example.com`
    const source = readFileSync(new URL('./client-in-page.js', import.meta.url), 'utf8')
    const result = (await page.evaluate(`(() => { ${source}; return runClient(${JSON.stringify(loginId)}) })()`)) as InPage

    expect(result.signedUp.user).toMatchObject({ loginIds: [loginId], name: 'Client Test' })
    expect(result.session?.amr).toEqual(['webauthn'])
    expect(result.taken).toEqual({ name: 'ApiError', code: 'invalid_login_id', status: 400, requestId: 'string' })
    expect(result.afterSignOut).toBeNull()
    expect(result.signedIn.user).toMatchObject({ loginIds: [loginId] })
    expect(result.again.created).toBe(false)
    expect(typeof result.refreshed.sessionExpiration).toBe('number')
    expect(result.noLoginId).toMatchObject({ name: 'ApiError', status: 400 })
    expect(result.addDeviceSignedOut).toMatchObject({ name: 'ApiError', code: 'unauthorized', status: 401 })
  })
})
