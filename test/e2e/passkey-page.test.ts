/**
 * @module
 * The passkey page in a real Chromium (Debian's, driven by playwright-core) with CDP virtual
 * authenticators, against the dev stack (Worker + Descope emulator): the whole life of an
 * account, clicked through by visible labels the way a person would, then passkey autofill and
 * "sign out everywhere" across two browser profiles.
 *
 * Chromium's virtual authenticator answers a conditional (autofill) request at once, with no
 * pick, whenever it holds a passkey for the site. So the main profile hides autofill (like a
 * browser without it) and the buttons are the only way in; autofill has its own profile, where
 * the authenticator's automatic presence is switched off while a request must stay waiting.
 */
import { copyFileSync, mkdirSync } from 'node:fs'
import { type Browser, type BrowserContext, type CDPSession, type Page, chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { emulatorControl } from '../support/emulator-control.mjs'
import { PLATFORM_AUTHENTICATOR } from '../../scripts/lib/chromium.mjs'
import { CHROMIUM_ARGS, clientOf } from './chromium'

const baseUrl = inject('baseUrl')
const chromiumPath = inject('chromiumPath')
const emulatorUrl = inject('emulatorUrl')
const projectId = inject('e2eProjectId')
const emulator = emulatorControl(projectId, emulatorUrl)
const ci = process.env.CI === 'true'
const OUT = 'test-results'
const SHOTS = 'docs/screenshots'

/** A platform authenticator (like Touch ID or Windows Hello) that verifies the user and says yes. */
const AUTHENTICATOR = PLATFORM_AUTHENTICATOR

const missing = `${process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'} is missing (apt-get install -y chromium)`
if (!chromiumPath && !ci) console.warn(`[e2e] Skipping the browser tests: ${missing}. Under CI=true they fail instead.`)

describe('environment', () => {
  it.runIf(ci)('should have Chromium installed under CI', () => {
    expect(chromiumPath, `Chromium: ${missing}; .ci/run installs it`).not.toBe('')
  })
  // Shows up in the report as a skipped test that says why.
  if (!chromiumPath && !ci) it.skip(`should run the browser tests (skipped: ${missing})`, () => {})
})

/** One browser profile: its page, its DevTools session and its virtual authenticators. */
interface Profile {
  context: BrowserContext
  page: Page
  cdp: CDPSession
}

describe.skipIf(!chromiumPath)('passkey page in Chromium', () => {
  let browser: Browser
  /** The main profile: autofill hidden, so buttons are the only way in. */
  let main: Profile
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
    main = await newProfile({ autofill: false, viewport: { width: 960, height: 900 } })
    ;({ page, cdp } = main)
  })

  afterAll(async () => {
    await browser?.close()
  })

  describe('one screen, buttons only', () => {
    it('should serve the page with its security headers and the one sign-in screen (T47)', async () => {
      const response = await page.goto(baseUrl)
      const headers = response!.headers()
      expect(headers['content-security-policy']).toBe(
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
      )
      expect(headers['x-content-type-options']).toBe('nosniff')
      expect(headers['permissions-policy']).toBe('publickey-credentials-create=(self), publickey-credentials-get=(self)')
      expect(headers['cross-origin-opener-policy']).toBe('same-origin')
      await expect.poll(() => page.getByRole('heading', { name: 'Sign in', exact: true }).isVisible()).toBe(true)
      expect(await page.getByRole('button', { name: 'Sign in with a passkey' }).isVisible()).toBe(true)
      // One field offers passkeys through autofill; account creation waits behind a disclosure.
      expect(await page.getByLabel('Email or username', { exact: true }).getAttribute('autocomplete')).toBe('username webauthn')
      expect(await page.locator('input[autocomplete~="webauthn"]').count()).toBe(1)
      expect(await page.getByLabel('Display name').isVisible()).toBe(false)
      await page.screenshot({ path: `${OUT}/passkey-page-signed-out.png`, fullPage: true, animations: 'disabled' })
    })

    it('should create an account with a passkey and show the session', async () => {
      const first = await addAuthenticator()
      await page.getByText('Create an account with a display name').click()
      await page.getByLabel('Email or username for the new account').fill(loginId)
      await page.getByLabel('Display name').fill('Ada E2E')
      await page.getByRole('button', { name: 'Create account with a passkey' }).click()
      await expectStatus(/Welcome, Ada E2E/)
      await expect.poll(() => page.getByRole('heading', { name: 'You are signed in' }).isVisible()).toBe(true)
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('signed-in-title')
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
      await page.getByRole('button', { name: 'Sign out', exact: true }).click()
      await expectStatus(/You are signed out/)
      await expect.poll(() => page.getByRole('heading', { name: 'Sign in', exact: true }).isVisible()).toBe(true)
      await page.getByRole('button', { name: 'Call the protected API' }).click()
      await expectResult(/Protected API: refused \(HTTP 401\)/)
    })

    it('should sign in with a passkey without typing, from the keyboard, buttons disabled meanwhile', async () => {
      // A slow identity provider keeps the ceremony visibly in progress for a moment.
      await emulator.fault({ route: 'POST /v1/auth/webauthn/signin/start', latencyMs: 1_000, times: 1 })
      const started = page.waitForRequest((request) => request.url().endsWith('/auth/passkey/signin/start'))
      await page.getByRole('button', { name: 'Sign in with a passkey' }).focus()
      await page.keyboard.press('Enter')
      // Nothing typed: the edge gets no login ID and the browser offers its passkeys.
      expect((await started).postDataJSON()).toEqual({})
      await expect.poll(() => page.getByRole('button', { name: 'Sign in with a passkey' }).isDisabled()).toBe(true)
      expect(await page.getByRole('button', { name: 'Continue' }).isDisabled()).toBe(true)
      expect(await page.locator('body').getAttribute('aria-busy')).toBe('true')
      await expectStatus(/Welcome back, Ada E2E/)
      await emulator.clearFaults()
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
      await page.screenshot({ path: `${OUT}/passkey-page-step-up.png`, fullPage: true, animations: 'disabled' })
      await page.getByRole('button', { name: 'Confirm with your passkey' }).click()
      await expectResult(/Sensitive action: done/)
      await expectStatus(/sensitive action succeeded/)
      await expect.poll(() => page.getByRole('button', { name: 'Sign out', exact: true }).isEnabled()).toBe(true)
      await page.screenshot({ path: `${OUT}/passkey-page-signed-in.png`, fullPage: true, animations: 'disabled' })
      await page.emulateMedia({ colorScheme: 'dark' })
      await page.screenshot({ path: `${OUT}/passkey-page-signed-in-dark.png`, fullPage: true, animations: 'disabled' })
      await page.emulateMedia({ colorScheme: 'light' })
    })

    it('should sign out everywhere: another browser’s refresh is refused with 401', async () => {
      // A second browser with the same (synced) passkey signs the same user in, nothing typed.
      const other = await newProfile({ autofill: false })
      const { authenticatorId } = await other.cdp.send('WebAuthn.addVirtualAuthenticator', { options: AUTHENTICATOR })
      await syncPasskey({ cdp, authenticatorId: state.current }, { cdp: other.cdp, authenticatorId })
      await other.page.goto(baseUrl)
      await other.page.getByRole('button', { name: 'Sign in with a passkey' }).click()
      await expect.poll(() => other.page.getByRole('status').textContent(), { timeout: 15_000 }).toMatch(/Welcome back, Ada E2E/)

      await page.getByRole('button', { name: 'Sign out everywhere' }).click()
      await expectStatus(/signed out everywhere/)
      await expect.poll(() => page.getByRole('heading', { name: 'Sign in', exact: true }).isVisible()).toBe(true)
      expect((await main.context.cookies()).map((cookie) => cookie.name).filter((name) => /DSR?$/.test(name))).toEqual([])
      const refresh = await other.page.evaluate(async () => {
        const response = await fetch('/auth/refresh', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })
        return { status: response.status, body: await response.json() }
      })
      expect(refresh).toEqual({ status: 401, body: { error: { code: 'unauthorized', message: expect.any(String), requestId: expect.any(String) } } })
      // The passkey's signature counter moved on over there; sync it back, as a passkey provider
      // would, or the emulator rightly refuses the stale counter as a cloned authenticator.
      await syncPasskey({ cdp: other.cdp, authenticatorId }, { cdp, authenticatorId: state.current })
      await other.context.close()

      // Back in, for what follows.
      await page.getByRole('button', { name: 'Sign in with a passkey' }).click()
      await expectStatus(/Welcome back, Ada E2E/)
    })

    it('should add a second device and sign in with it', async () => {
      // The first device leaves; a second one (another phone or laptop) takes its place.
      await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: state.first })
      const second = await addAuthenticator()
      state.current = second
      await page.getByRole('button', { name: 'Add this device' }).click()
      await expectStatus(/this device can now sign you in/i)
      expect((await cdp.send('WebAuthn.getCredentials', { authenticatorId: second })).credentials).toHaveLength(1)

      await page.getByRole('button', { name: 'Sign out', exact: true }).click()
      await expectStatus(/You are signed out/)
      await page.getByRole('button', { name: 'Sign in with a passkey' }).click()
      await expectStatus(/Welcome back, Ada E2E/)
      const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId: second })
      expect(credentials[0]!.signCount).toBeGreaterThan(0)
    })

    it('should say a passkey is already on this device when adding it twice', async () => {
      await page.getByRole('button', { name: 'Add this device' }).click()
      await expectStatus(/already on this device/)
      expect(await page.getByRole('status').getAttribute('data-tone')).toBe('calm')
    })

    it('should show a calm message and give focus back when the user cancels a ceremony', async () => {
      await page.getByRole('button', { name: 'Sign out', exact: true }).click()
      await expectStatus(/You are signed out/)
      // The user refuses verification on the authenticator: the browser rejects with NotAllowedError.
      await cdp.send('WebAuthn.setUserVerified', { authenticatorId: state.current, isUserVerified: false })
      await page.getByRole('button', { name: 'Sign in with a passkey' }).click()
      await expectStatus(/Cancelled — nothing was changed/)
      expect(await page.getByRole('status').getAttribute('data-tone')).toBe('calm')
      await expect.poll(() => page.getByRole('button', { name: 'Sign in with a passkey' }).isEnabled()).toBe(true)
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('passkey-sign-in')

      await cdp.send('WebAuthn.setUserVerified', { authenticatorId: state.current, isUserVerified: true })
      await page.getByRole('button', { name: 'Sign in with a passkey' }).click()
      await expectStatus(/Welcome back/)
    })

    it('should word a server error from the page’s table by its code, move focus to it, never show JSON', async () => {
      await page.getByRole('button', { name: 'Sign out', exact: true }).click()
      await expectStatus(/You are signed out/)
      // Creating an account with a taken login ID: the edge refuses before any ceremony.
      const refused = page.waitForResponse((response) => response.url().endsWith('/auth/passkey/signup/start'))
      await page.getByLabel('Email or username for the new account').fill(loginId)
      await page.getByRole('button', { name: 'Create account with a passkey' }).click()
      expect(((await (await refused).json()) as { error: { code: string } }).error.code).toBe('invalid_login_id')
      await expectStatus(/That email or username can’t be used here\. If the account is yours, sign in with your passkey instead\./)
      expect(await page.getByRole('status').textContent()).not.toMatch(/[{}]|invalid_login_id/)
      expect(await page.getByRole('status').getAttribute('data-tone')).toBe('error')
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('status')

      // An empty field is caught by the page, which points at the field.
      await page.getByLabel('Email or username', { exact: true }).fill('')
      await page.getByRole('button', { name: 'Continue' }).click()
      await expectStatus(/Enter your email or username first/)
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('login-id')
      expect(await page.getByLabel('Email or username', { exact: true }).getAttribute('aria-invalid')).toBe('true')
    })

    it('should continue with one field: a new ID creates an account, a known one signs in', async () => {
      const newcomer = `e2e-${Date.now().toString(36)}-b@example.com`
      await page.getByLabel('Email or username', { exact: true }).fill(newcomer)
      await page.getByRole('button', { name: 'Continue' }).click()
      await expectStatus(/Your account and passkey are ready/)
      const created = await factOf('User ID')
      await page.getByRole('button', { name: 'Sign out', exact: true }).click()
      await expectStatus(/You are signed out/)

      await page.getByLabel('Email or username', { exact: true }).fill(newcomer)
      await page.getByLabel('Email or username', { exact: true }).press('Enter')
      await expectStatus(/Welcome back/)
      expect(await factOf('User ID')).toBe(created)
    })

    it('should say so when the browser has no WebAuthn', async () => {
      const bare = await main.context.newPage()
      watch(bare)
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
      // Older Safari and Firefox: no parse…FromJSON and no credential.toJSON(). A fresh profile.
      const older = await newProfile({ autofill: false })
      await older.page.addInitScript(() => {
        const api = window.PublicKeyCredential as unknown as Record<string, unknown>
        delete api.parseCreationOptionsFromJSON
        delete api.parseRequestOptionsFromJSON
        delete (window.PublicKeyCredential.prototype as unknown as Record<string, unknown>).toJSON
      })
      await older.cdp.send('WebAuthn.addVirtualAuthenticator', { options: AUTHENTICATOR })
      await older.page.goto(baseUrl)
      expect(await older.page.evaluate(() => typeof PublicKeyCredential.parseCreationOptionsFromJSON)).toBe('undefined')
      const id = `e2e-${Date.now().toString(36)}-c@example.com`
      const status = () => older.page.getByRole('status').textContent()
      await older.page.getByLabel('Email or username', { exact: true }).fill(id)
      await older.page.getByRole('button', { name: 'Continue' }).click()
      await expect.poll(status, { timeout: 15_000 }).toMatch(/Your account and passkey are ready/)
      await older.page.getByRole('button', { name: 'Sign out', exact: true }).click()
      await expect.poll(status).toMatch(/You are signed out/)
      await older.page.getByRole('button', { name: 'Sign in with a passkey' }).click()
      await expect.poll(status, { timeout: 15_000 }).toMatch(/Welcome back/)
      await older.context.close()
    })

    it('should be readable on a phone and in dark mode', async () => {
      await page.getByRole('button', { name: 'Sign out', exact: true }).click()
      await expectStatus(/You are signed out/)
      await page.setViewportSize({ width: 390, height: 844 })
      // A fresh load: the screen as a person arriving sees it.
      await page.reload()
      await expect.poll(() => page.getByRole('heading', { name: 'Sign in', exact: true }).isVisible()).toBe(true)
      await page.emulateMedia({ colorScheme: 'dark' })
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
      expect(overflow).toBeLessThanOrEqual(0)
      await page.screenshot({ path: `${OUT}/passkey-page-phone-dark.png`, fullPage: true, animations: 'disabled' })
      await page.emulateMedia({ colorScheme: 'light' })
      await page.screenshot({ path: `${OUT}/passkey-page-phone.png`, fullPage: true, animations: 'disabled' })
    })
  })

  describe('passkey autofill (conditional mediation)', () => {
    let autofill: Profile
    let authenticatorId = ''
    const newcomer = `e2e-${Date.now().toString(36)}-d@example.com`

    beforeAll(async () => {
      autofill = await newProfile({ autofill: true })
      // A controllable clock (it runs normally until fast-forwarded) for the stale-request rule.
      await autofill.context.clock.install()
      await autofill.page.addInitScript(recordCredentialRequests)
      // Without automatic presence a request waits, as it does in a real browser until a pick.
      ;({ authenticatorId } = await autofill.cdp.send('WebAuthn.addVirtualAuthenticator', {
        options: { ...AUTHENTICATOR, automaticPresenceSimulation: false },
      }))
    })

    afterAll(async () => {
      await autofill?.context.close()
    })

    it('should start no request on a page view, one when the field is focused (T62), and abort it cleanly when a button is used', async () => {
      let starts = 0
      autofill.page.on('request', (request) => {
        if (request.url().endsWith('/auth/passkey/signin/start')) starts++
      })
      await autofill.page.goto(baseUrl)
      await expect.poll(() => autofill.page.getByRole('button', { name: 'Continue' }).isVisible()).toBe(true)
      await autofill.page.waitForTimeout(500)
      // A page view is no sign of intent: no start (a KV write at the edge), no request.
      expect(starts).toBe(0)
      expect(await requestsOf(autofill.page)).toEqual([])
      const started = autofill.page.waitForRequest((request) => request.url().endsWith('/auth/passkey/signin/start'))
      await autofill.page.getByLabel('Email or username', { exact: true }).focus()
      expect((await started).postDataJSON()).toEqual({})
      await expect.poll(() => requestsOf(autofill.page)).toEqual([{ mediation: 'conditional', aborted: false, outcome: 'pending' }])

      await autofill.cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled: true })
      await autofill.page.getByLabel('Email or username', { exact: true }).fill(newcomer)
      await autofill.page.getByRole('button', { name: 'Continue' }).click()
      await expect.poll(() => autofill.page.getByRole('status').textContent(), { timeout: 15_000 }).toMatch(/Your account and passkey are ready/)
      // The button's ceremony took over: the waiting request ended with an AbortError, said nothing.
      expect(await requestsOf(autofill.page)).toEqual([{ mediation: 'conditional', aborted: true, outcome: 'AbortError' }])
    })

    it('should sign in from the autofill list, no button pressed, once signed out', async () => {
      const finished = autofill.page.waitForResponse((response) => response.url().endsWith('/auth/passkey/signin/finish'))
      await autofill.page.getByRole('button', { name: 'Sign out', exact: true }).click()
      // Signed out, the page waits for a pick again once the field has focus; this authenticator picks its passkey at once.
      const field = autofill.page.getByLabel('Email or username', { exact: true })
      await expect.poll(() => field.isVisible()).toBe(true)
      await field.focus()
      expect((await finished).status()).toBe(200)
      await expect.poll(() => autofill.page.getByRole('status').textContent(), { timeout: 15_000 }).toMatch(/Welcome back/)
      expect(await autofill.page.locator('dt:text-is("Signed in with") + dd').textContent()).toMatch(/webauthn/)
      const requests = await requestsOf(autofill.page)
      expect(requests.at(-1)).toEqual({ mediation: 'conditional', aborted: false, outcome: 'credential' })
      expect(requests.filter((request) => request.mediation !== 'conditional')).toEqual([])
    })

    it('should replace a waiting request older than the transaction when the field gets focus', async () => {
      await autofill.cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled: false })
      await autofill.page.getByRole('button', { name: 'Sign out', exact: true }).click()
      const field = autofill.page.getByLabel('Email or username', { exact: true })
      await expect.poll(() => field.isVisible()).toBe(true)
      await field.focus()
      await expect.poll(async () => (await requestsOf(autofill.page)).at(-1)).toEqual({ mediation: 'conditional', aborted: false, outcome: 'pending' })
      const before = (await requestsOf(autofill.page)).length
      await field.blur()

      // Still fresh: focusing the field again keeps the waiting request (no new start within a moment).
      let starts = 0
      autofill.page.on('request', (request) => {
        if (request.url().endsWith('/auth/passkey/signin/start')) starts++
      })
      await field.focus()
      await field.blur()
      await autofill.page.waitForTimeout(500)
      expect(starts).toBe(0)
      expect(await requestsOf(autofill.page)).toHaveLength(before)

      // Past 4 minutes the edge's 5-minute transaction may expire before a pick: start over.
      await autofill.page.clock.fastForward('04:01')
      const restarted = autofill.page.waitForRequest((request) => request.url().endsWith('/auth/passkey/signin/start'))
      await field.focus()
      expect((await restarted).postDataJSON()).toEqual({})
      await expect
        .poll(async () => (await requestsOf(autofill.page)).slice(before - 1))
        .toEqual([
          { mediation: 'conditional', aborted: true, outcome: 'AbortError' },
          { mediation: 'conditional', aborted: false, outcome: 'pending' },
        ])
    })
  })

  describe('after everything', () => {
    it('should have run without CSP violations, script errors or unhandled rejections (T47)', () => {
      expect(problems).toEqual([])
    })

    it.runIf(process.env.UPDATE_SCREENSHOTS === '1')('should refresh the screenshots in docs/', () => {
      mkdirSync(SHOTS, { recursive: true })
      copyFileSync(`${OUT}/passkey-page-signed-out.png`, `${SHOTS}/light.png`)
      copyFileSync(`${OUT}/passkey-page-signed-in-dark.png`, `${SHOTS}/dark.png`)
      copyFileSync(`${OUT}/passkey-page-phone.png`, `${SHOTS}/phone.png`)
    })
  })

  /** A new browser profile with WebAuthn's virtual environment on; `autofill: false` hides it. */
  async function newProfile(options: { autofill: boolean; viewport?: { width: number; height: number } }): Promise<Profile> {
    const context = await browser.newContext({ ...clientOf(import.meta.url), viewport: options.viewport ?? { width: 960, height: 900 } })
    if (!options.autofill) {
      await context.addInitScript(() => {
        Reflect.deleteProperty(PublicKeyCredential, 'isConditionalMediationAvailable')
      })
    }
    const page = await context.newPage()
    watch(page)
    const cdp = await context.newCDPSession(page)
    await cdp.send('WebAuthn.enable', { enableUI: false })
    return { context, page, cdp }
  }

  /** CSP violations, script errors and unhandled rejections are bugs of the page, whatever the test does. */
  function watch(target: Page) {
    target.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) problems.push(message.text())
    })
    target.on('pageerror', (error) => problems.push(`${error.name}: ${error.message}`))
  }

  /** Copies every passkey of one virtual authenticator into another (what passkey sync does). */
  async function syncPasskey(from: { cdp: CDPSession; authenticatorId: string }, to: { cdp: CDPSession; authenticatorId: string }) {
    const { credentials } = await from.cdp.send('WebAuthn.getCredentials', { authenticatorId: from.authenticatorId })
    await to.cdp.send('WebAuthn.clearCredentials', { authenticatorId: to.authenticatorId })
    for (const credential of credentials) await to.cdp.send('WebAuthn.addCredential', { authenticatorId: to.authenticatorId, credential })
  }

  async function addAuthenticator(): Promise<string> {
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', { options: AUTHENTICATOR })
    return authenticatorId
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

interface CredentialRequest {
  mediation: string
  aborted: boolean
  outcome: string
}

/** Runs in the page: records every `navigator.credentials.get` (mediation, abort, outcome). */
function recordCredentialRequests() {
  const requests: CredentialRequest[] = []
  Object.defineProperty(window, '__credentialRequests', { value: requests })
  const get = navigator.credentials.get.bind(navigator.credentials)
  navigator.credentials.get = (options?: CredentialRequestOptions) => {
    const entry = { mediation: options?.mediation ?? 'optional', aborted: false, outcome: 'pending' }
    requests.push(entry)
    options?.signal?.addEventListener('abort', () => {
      entry.aborted = true
    })
    return get(options).then(
      (credential) => {
        entry.outcome = 'credential'
        return credential
      },
      (error: unknown) => {
        entry.outcome = error instanceof Error || error instanceof DOMException ? error.name : String(error)
        throw error
      }
    )
  }
}

function requestsOf(page: Page): Promise<CredentialRequest[]> {
  return page.evaluate(() => [...((window as unknown as { __credentialRequests: CredentialRequest[] }).__credentialRequests ?? [])])
}
