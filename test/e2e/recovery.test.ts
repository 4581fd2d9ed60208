/**
 * @module
 * Account recovery in a real Chromium against the dev stack (which runs with `RECOVERY =
 * "email-link"`; docs/recovery.md): a user signs up with a passkey, loses the authenticator,
 * asks for a link under "Lost your passkey?", opens the link from the emulator's outbox, and is
 * asked at once for a passkey on this device; the new passkey then signs in alone. The link's
 * token leaves the address bar before the page does anything else, and the page sends no referrer.
 */
import { type Browser, type BrowserContext, type CDPSession, type Page, chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { emulatorControl } from '../support/emulator-control.mjs'
import { PLATFORM_AUTHENTICATOR } from '../../scripts/lib/chromium.mjs'
import { CHROMIUM_ARGS, clientOf } from './chromium'

const baseUrl = inject('baseUrl')
const chromiumPath = inject('chromiumPath')
const emulator = emulatorControl(inject('e2eProjectId'), inject('emulatorUrl'))

describe.skipIf(!chromiumPath)('recovery by email link, in Chromium', () => {
  let browser: Browser
  let context: BrowserContext
  let page: Page
  let cdp: CDPSession
  const problems: string[] = []
  const loginId = `e2e-recover-${Date.now().toString(36)}@example.com`

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS })
    context = await browser.newContext(clientOf(import.meta.url))
    // Buttons only: a waiting autofill request would answer on its own (passkey-page.test.ts).
    await context.addInitScript(() => {
      Reflect.deleteProperty(PublicKeyCredential, 'isConditionalMediationAvailable')
    })
    page = await context.newPage()
    page.on('pageerror', (error) => problems.push(`${error.name}: ${error.message}`))
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) problems.push(message.text())
    })
    cdp = await context.newCDPSession(page)
    await cdp.send('WebAuthn.enable', { enableUI: false })
  })

  afterAll(async () => {
    await browser?.close()
  })

  const expectStatus = (pattern: RegExp) => expect.poll(() => page.getByRole('status').textContent(), { timeout: 15_000 }).toMatch(pattern)
  const addAuthenticator = async () => (await cdp.send('WebAuthn.addVirtualAuthenticator', { options: PLATFORM_AUTHENTICATOR })).authenticatorId

  it('signs up, loses the passkey, recovers by the emailed link, enrols a new passkey and signs in with it', async () => {
    const first = await addAuthenticator()
    await page.goto(baseUrl)
    await page.getByText('Create an account with a display name').click()
    await page.getByLabel('Email or username for the new account').fill(loginId)
    await page.getByRole('button', { name: 'Create account with a passkey' }).click()
    await expectStatus(/Your passkey is ready/)
    await page.getByRole('button', { name: 'Sign out', exact: true }).click()
    await expectStatus(/You are signed out/)

    // Every device with the passkey is gone.
    await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: first })
    const second = await addAuthenticator()

    await page.getByText('Lost your passkey?').click()
    await expect.poll(() => page.locator('#recover-outbox').isVisible()).toBe(true)
    await page.getByLabel('Email or username of your account').fill(loginId)
    await page.getByRole('button', { name: 'Email me a sign-in link' }).click()
    await expectStatus(/sign-in link is on its way/)

    const sentLink = async () => (await emulator.outbox()).find((sent) => sent.to === loginId)?.link
    await expect.poll(sentLink, { timeout: 15_000 }).toBeDefined()
    const link = new URL((await sentLink()) ?? '')
    expect(link.origin).toBe(new URL(baseUrl).origin)
    const token = link.searchParams.get('t') ?? ''

    const requests: Array<{ url: string; referer: string | undefined }> = []
    page.on('request', (request) => requests.push({ url: request.url(), referer: request.headers().referer }))
    await page.goto(link.href)
    // The token leaves the address bar first thing, and no later request carries it.
    expect(page.url()).not.toContain('t=')
    expect(await page.evaluate(() => location.search)).toBe('')
    await expect.poll(() => page.getByRole('heading', { name: 'Create a passkey on this device' }).isVisible()).toBe(true)
    await expectStatus(/signed in with the emailed link/)
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('recovered-title')
    const later = requests.slice(1)
    expect(later.length).toBeGreaterThan(0)
    for (const request of later) {
      expect(request.url).not.toContain(token)
      expect(request.referer ?? '').not.toContain(token)
    }
    const pageAnswer = await page.request.get(baseUrl)
    expect(pageAnswer.headers()['referrer-policy']).toBe('no-referrer')

    await page.getByRole('button', { name: 'Create a passkey on this device' }).click()
    await expectStatus(/this device can now sign you in/i)
    expect(await page.locator('#recovered').isHidden()).toBe(true)
    expect((await cdp.send('WebAuthn.getCredentials', { authenticatorId: second })).credentials).toHaveLength(1)

    await page.getByRole('button', { name: 'Sign out', exact: true }).click()
    await expectStatus(/You are signed out/)
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click()
    await expectStatus(/Welcome back/)

    // The used link again: a clear message, no session.
    await page.getByRole('button', { name: 'Sign out', exact: true }).click()
    await expectStatus(/You are signed out/)
    await page.goto(link.href)
    await expectStatus(/already used, has expired/)
    expect(await page.locator('#signed-in').isHidden()).toBe(true)
    expect(problems).toEqual([])
  })
})
