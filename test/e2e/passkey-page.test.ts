/**
 * @module
 * The passkey page in a real Chromium (Debian's, driven by playwright-core) with CDP virtual
 * authenticators, against the dev stack (Worker + Descope emulator): the whole life of an
 * account, clicked through by visible labels the way a person would.
 */
import { copyFileSync, mkdirSync } from 'node:fs'
import { type Browser, type BrowserContext, type CDPSession, type Page, chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'

const baseUrl = inject('baseUrl')
const chromiumPath = inject('chromiumPath')
const emulatorUrl = inject('emulatorUrl')
const projectId = inject('e2eProjectId')
const ci = process.env.CI === 'true'
const OUT = 'test-results'

/** Flags for Debian's Chromium in a container: no sandbox, no GPU, nothing phoning home. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
]

/** A platform authenticator (like Touch ID or Windows Hello) that verifies the user and says yes. */
const AUTHENTICATOR = {
  protocol: 'ctap2',
  transport: 'internal',
  hasResidentKey: true,
  hasUserVerification: true,
  isUserVerified: true,
  automaticPresenceSimulation: true,
} as const

const missing = `${process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'} is missing (apt-get install -y chromium)`
if (!chromiumPath && !ci) console.warn(`[e2e] Skipping the browser tests: ${missing}. Under CI=true they fail instead.`)

describe('environment', () => {
  it.runIf(ci)('should have Chromium installed under CI', () => {
    expect(chromiumPath, `Chromium: ${missing}; .ci/run installs it`).not.toBe('')
  })
  // Shows up in the report as a skipped test that says why.
  if (!chromiumPath && !ci) it.skip(`should run the browser tests (skipped: ${missing})`, () => {})
})

describe.skipIf(!chromiumPath)('passkey page in Chromium', () => {
  let browser: Browser
  let context: BrowserContext
  let page: Page
  let cdp: CDPSession
  const problems: string[] = []
  /** Virtual authenticator IDs: the first device, and the one in use now. */
  const state = { first: '', current: '' }
  // A fresh account per run: the emulator keeps users across restarts of the dev stack.
  const loginId = `e2e-${Date.now().toString(36)}@example.com`

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true })
    browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS })
    context = await browser.newContext({ viewport: { width: 960, height: 840 } })
    page = await context.newPage()
    // CSP violations and script errors are bugs of the page, whatever the test clicks.
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) problems.push(message.text())
    })
    page.on('pageerror', (error) => problems.push(`${error.name}: ${error.message}`))
    cdp = await context.newCDPSession(page)
    await cdp.send('WebAuthn.enable', { enableUI: false })
  })

  afterAll(async () => {
    await browser?.close()
  })

  it('should serve the page with its security headers', async () => {
    const response = await page.goto(baseUrl)
    const headers = response!.headers()
    expect(headers['content-security-policy']).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
    expect(headers['x-content-type-options']).toBe('nosniff')
    expect(headers['permissions-policy']).toBe('publickey-credentials-create=(self), publickey-credentials-get=(self)')
    expect(headers['cross-origin-opener-policy']).toBe('same-origin')
    await expect.poll(() => page.getByRole('heading', { name: 'Get started' }).isVisible()).toBe(true)
    await page.screenshot({ path: `${OUT}/passkey-page-signed-out.png`, fullPage: true })
  })

  it('should sign up with a passkey and show the session', async () => {
    const first = await addAuthenticator()
    await page.getByLabel('Login ID', { exact: true }).fill(loginId)
    await page.getByLabel('Display name').fill('Ada E2E')
    await page.getByRole('button', { name: 'Sign up with a passkey' }).click()
    await expectStatus(/Welcome, Ada E2E/)
    await expect.poll(() => page.getByRole('heading', { name: 'You are signed in' }).isVisible()).toBe(true)
    expect(await factOf('User ID')).toMatch(/\S+/)
    expect(await factOf('Session expires')).toMatch(/\d/)
    expect(await factOf('Roles')).not.toBe('')
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId: first })
    expect(credentials).toHaveLength(1)
    expect(credentials[0]!.rpId).toBe('localhost')
    expect(credentials[0]!.isResidentCredential).toBe(true)
    state.first = first
    state.current = first
  })

  it('should call the protected API while signed in', async () => {
    await page.getByRole('button', { name: 'Call the protected API' }).click()
    await expectResult(/Protected API: allowed/)
  })

  it('should sign out, after which the protected API refuses the call', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click()
    await expectStatus(/You are signed out/)
    await expect.poll(() => page.getByRole('heading', { name: 'Get started' }).isVisible()).toBe(true)
    await page.getByRole('button', { name: 'Call the protected API' }).click()
    await expectResult(/Protected API: refused \(HTTP 401\)/)
  })

  it('should sign in with the passkey from the keyboard, buttons disabled meanwhile', async () => {
    // A slow identity provider keeps the ceremony visibly in progress for a moment.
    await emulatorControl('POST', '/faults', { route: 'POST /v1/auth/webauthn/signin/start', latencyMs: 1_000, times: 1 })
    await page.getByLabel('Your login ID').fill(loginId)
    await page.getByLabel('Your login ID').press('Enter')
    await expect.poll(() => page.getByRole('button', { name: 'Sign in with a passkey' }).isDisabled()).toBe(true)
    expect(await page.getByRole('button', { name: 'Sign up with a passkey' }).isDisabled()).toBe(true)
    expect(await page.locator('body').getAttribute('aria-busy')).toBe('true')
    await expectStatus(/Welcome back, Ada E2E/)
    await emulatorControl('DELETE', '/faults')
    await expect.poll(() => page.getByRole('heading', { name: 'You are signed in' }).isVisible()).toBe(true)
  })

  it('should ask to confirm with the passkey before the sensitive action, then do it', async () => {
    // A plain sign-in is not a step-up: the edge answers with the RFC 9470 challenge first.
    const asked = page.waitForResponse((response) => response.url().endsWith('/api/sensitive'))
    await page.getByRole('button', { name: 'Do a sensitive action' }).click()
    const challenge = await asked
    expect(challenge.status()).toBe(401)
    expect(await challenge.headerValue('www-authenticate')).toMatch(/insufficient_user_authentication/)
    await expect.poll(() => page.getByRole('heading', { name: 'Confirm it’s you' }).isVisible()).toBe(true)
    await expectStatus(/Confirm it’s you/)
    await page.screenshot({ path: `${OUT}/passkey-page-step-up.png`, fullPage: true })
    await page.getByRole('button', { name: 'Confirm with your passkey' }).click()
    await expectResult(/Sensitive action: done/)
    await expectStatus(/sensitive action succeeded/)
    await expect.poll(() => page.getByRole('button', { name: 'Sign out' }).isEnabled()).toBe(true)
    await page.screenshot({ path: `${OUT}/passkey-page-signed-in.png`, fullPage: true, animations: 'disabled' })
  })

  it('should add a second device and sign in with it', async () => {
    // The first device leaves; a second one (another phone or laptop) takes its place.
    await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: state.first })
    const second = await addAuthenticator()
    state.current = second
    await page.getByRole('button', { name: 'Add this device' }).click()
    await expectStatus(/this device can now sign you in/i)
    expect((await cdp.send('WebAuthn.getCredentials', { authenticatorId: second })).credentials).toHaveLength(1)

    await page.getByRole('button', { name: 'Sign out' }).click()
    await expectStatus(/You are signed out/)
    await page.getByLabel('Your login ID').fill(loginId)
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click()
    await expectStatus(/Welcome back/)
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId: second })
    expect(credentials[0]!.signCount).toBeGreaterThan(0)
  })

  it('should say a passkey is already on this device when adding it twice', async () => {
    await page.getByRole('button', { name: 'Add this device' }).click()
    await expectStatus(/already on this device/)
  })

  it('should show a calm message and give the form back when the user cancels a ceremony', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click()
    await expectStatus(/You are signed out/)
    // The user refuses verification on the authenticator: the browser rejects with NotAllowedError.
    await cdp.send('WebAuthn.setUserVerified', { authenticatorId: state.current, isUserVerified: false })
    await page.getByLabel('Your login ID').fill(loginId)
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click()
    await expectStatus(/Cancelled — nothing was changed/)
    expect(await page.getByRole('status').getAttribute('data-tone')).toBe('calm')
    await expect.poll(() => page.getByRole('button', { name: 'Sign in with a passkey' }).isEnabled()).toBe(true)
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('signin-login-id')
    expect(await page.getByLabel('Your login ID').inputValue()).toBe(loginId)

    await cdp.send('WebAuthn.setUserVerified', { authenticatorId: state.current, isUserVerified: true })
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click()
    await expectStatus(/Welcome back/)
  })

  it('should show a server error by its message, never as JSON', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click()
    await expectStatus(/You are signed out/)
    // Signing up again with a taken login ID: the edge refuses before any ceremony.
    await page.getByLabel('Login ID', { exact: true }).fill(loginId)
    await page.getByRole('button', { name: 'Sign up with a passkey' }).click()
    await expectStatus(/This login ID cannot be used here\./)
    expect(await page.getByRole('status').textContent()).not.toMatch(/[{}]/)
    expect(await page.getByRole('status').getAttribute('data-tone')).toBe('error')
  })

  it('should sign up or in with one field: a new ID creates an account, a known one signs in', async () => {
    const newcomer = `e2e-${Date.now().toString(36)}-b@example.com`
    await page.getByLabel('Email or username').fill(newcomer)
    await page.getByRole('button', { name: 'Continue with a passkey' }).click()
    await expectStatus(/Your account and passkey are ready/)
    const created = await factOf('User ID')
    await page.getByRole('button', { name: 'Sign out' }).click()
    await expectStatus(/You are signed out/)

    await page.getByLabel('Email or username').fill(newcomer)
    await page.getByRole('button', { name: 'Continue with a passkey' }).click()
    await expectStatus(/Welcome back/)
    expect(await factOf('User ID')).toBe(created)
  })

  it('should say so when the browser has no WebAuthn', async () => {
    const bare = await context.newPage()
    await bare.addInitScript(() => {
      // @ts-expect-error: a browser without the Web Authentication API
      delete window.PublicKeyCredential
    })
    await bare.goto(baseUrl)
    await expect.poll(() => bare.getByText('This browser cannot use passkeys here').isVisible()).toBe(true)
    expect(await bare.getByRole('button', { name: 'Add this device' }).isDisabled()).toBe(true)
    expect(await bare.getByRole('button', { name: 'Call the protected API' }).isEnabled()).toBe(true)
    await bare.close()
  })

  it('should work through its own encoder when the browser lacks the WebAuthn JSON helpers', async () => {
    // Older Safari and Firefox: no parse…FromJSON and no credential.toJSON(). A fresh browser
    // profile (no cookies) and its own authenticator.
    const older = await browser.newContext()
    const oldPage = await older.newPage()
    await oldPage.addInitScript(() => {
      const api = window.PublicKeyCredential as unknown as Record<string, unknown>
      delete api.parseCreationOptionsFromJSON
      delete api.parseRequestOptionsFromJSON
      delete (window.PublicKeyCredential.prototype as unknown as Record<string, unknown>).toJSON
    })
    const oldCdp = await older.newCDPSession(oldPage)
    await oldCdp.send('WebAuthn.enable', { enableUI: false })
    await oldCdp.send('WebAuthn.addVirtualAuthenticator', { options: AUTHENTICATOR })
    await oldPage.goto(baseUrl)
    expect(await oldPage.evaluate(() => typeof PublicKeyCredential.parseCreationOptionsFromJSON)).toBe('undefined')
    const id = `e2e-${Date.now().toString(36)}-c@example.com`
    await oldPage.getByLabel('Email or username').fill(id)
    await oldPage.getByRole('button', { name: 'Continue with a passkey' }).click()
    await expect.poll(() => oldPage.getByRole('status').textContent(), { timeout: 15_000 }).toMatch(/Your account and passkey are ready/)
    await oldPage.getByRole('button', { name: 'Sign out' }).click()
    await expect.poll(() => oldPage.getByRole('status').textContent()).toMatch(/You are signed out/)
    await oldPage.getByLabel('Your login ID').fill(id)
    await oldPage.getByRole('button', { name: 'Sign in with a passkey' }).click()
    await expect.poll(() => oldPage.getByRole('status').textContent(), { timeout: 15_000 }).toMatch(/Welcome back/)
    await older.close()
  })

  it('should have run without CSP violations or script errors', () => {
    expect(problems).toEqual([])
  })

  it('should be readable on a phone and in dark mode', async () => {
    await page.setViewportSize({ width: 390, height: 844 })
    await page.emulateMedia({ colorScheme: 'dark' })
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
    expect(overflow).toBeLessThanOrEqual(0)
    await page.screenshot({ path: `${OUT}/passkey-page-phone-dark.png`, fullPage: true })
    if (process.env.UPDATE_SCREENSHOT === '1') copyFileSync(`${OUT}/passkey-page-signed-in.png`, 'docs/screenshot.png')
  })

  async function addAuthenticator(): Promise<string> {
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', { options: AUTHENTICATOR })
    return authenticatorId
  }

  async function emulatorControl(method: string, path: string, body?: object) {
    const response = await fetch(`${emulatorUrl}/emulator/${projectId}${path}`, {
      method,
      headers: { 'Content-Type': 'application/json' },
      body: body && JSON.stringify(body),
    })
    expect(response.status, `emulator ${method} ${path}`).toBe(200)
  }

  async function expectStatus(pattern: RegExp) {
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 15_000 }).toMatch(pattern)
  }

  async function expectResult(pattern: RegExp) {
    await expect.poll(() => page.locator('#result').textContent(), { timeout: 15_000 }).toMatch(pattern)
  }

  async function factOf(term: string): Promise<string> {
    return (await page.locator(`dt:text-is("${term}") + dd`).textContent()) ?? ''
  }
})
