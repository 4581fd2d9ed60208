/**
 * @module
 * Cookie tossing in a real Chromium (docs/threat-model.md, T54), against the dev stack. Two
 * sibling hosts of one site, `app.site.localhost` (the edge) and `evil.site.localhost` (a
 * subdomain serving someone else's content): both are the dev Worker, and Chromium sends
 * `*.localhost` to loopback and treats it as a secure context, as it does `localhost`.
 *
 * The sibling's script sets cookies with `Domain=site.localhost`. Chromium refuses that under the
 * `__Host-DS` name, so the edge's default session cookie cannot be planted; a plain `DS` it
 * accepts and sends to the edge's host — which is why plain names are not the default — and the
 * edge, reading only `__Host-DS`, ignores it: a victim with a session keeps it, one without is not
 * signed in as the attacker. A name that starts with a Unicode space (`\u2000__Host-DS`) has no
 * `__Host-` prefix for Chromium, so it takes `Domain=` too; the edge compares names byte for byte
 * (T56), so that one is ignored as well. (The same rules at the HTTP layer, for every reader: test/workers/cookie-tossing.test.ts.)
 */
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { emulatorControl } from '../support/emulator-control.mjs'
import { CHROMIUM_ARGS, clientOf } from './chromium'

const baseUrl = inject('baseUrl')
const chromiumPath = inject('chromiumPath')
const emulator = emulatorControl(inject('e2eProjectId'), inject('emulatorUrl'))

describe.skipIf(!chromiumPath)('cookie tossing from a sibling subdomain, in Chromium', () => {
  let browser: Browser
  let context: BrowserContext
  const port = baseUrl ? new URL(baseUrl).port : ''
  const app = `http://app.site.localhost:${port}`
  const evil = `http://evil.site.localhost:${port}`
  const now = () => Math.floor(Date.now() / 1000)
  const sessionOf = (sub: string) => emulator.sign({ iss: emulator.projectId, sub, iat: now() - 5, exp: now() + 600, drn: 'DS' })

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS })
    context = await browser.newContext(clientOf(import.meta.url))
  })

  afterAll(async () => {
    await browser?.close()
  })

  it("should refuse a sibling's Domain= cookie under the __Host- name, and the Worker ignores the look-alike it can plant (T54)", async () => {
    const page = await context.newPage()
    const cdp = await context.newCDPSession(page)
    const [victim, attacker] = [await sessionOf('U2victim'), await sessionOf('U2attacker')]
    // The victim's session on the edge's host, as the edge sets it (HttpOnly, so no script could).
    const set = await cdp.send('Network.setCookie', {
      name: '__Host-DS',
      value: victim,
      url: `${app}/`,
      path: '/',
      secure: true,
      httpOnly: true,
      sameSite: 'Strict',
    })
    expect(set.success).toBe(true)

    // The sibling's script plants the attacker's session for the whole site, under both names.
    await page.goto(`${evil}/healthz`)
    await page.evaluate((token) => {
      // biome-ignore lint/suspicious/noDocumentCookie: the attacker's page writes cookies the classic way
      document.cookie = `__Host-DS=${token}; Domain=site.localhost; Path=/; Secure`
      // biome-ignore lint/suspicious/noDocumentCookie: as above
      document.cookie = `DS=${token}; Domain=site.localhost; Path=/; Secure`
    }, attacker)

    // What Chromium now sends to the edge's host: the victim's __Host-DS alone under that name,
    // and the attacker's DS beside it (the browser lets a sibling do that to a plain name).
    const { cookies } = await cdp.send('Network.getCookies', { urls: [`${app}/auth/session`] })
    const sent = cookies.map(({ name, value, domain }) => ({ name, who: value === victim ? 'victim' : value === attacker ? 'attacker' : value, domain }))
    expect(sent.sort((a, b) => (a.name < b.name ? -1 : 1))).toEqual([
      { name: 'DS', who: 'attacker', domain: '.site.localhost' },
      { name: '__Host-DS', who: 'victim', domain: 'app.site.localhost' },
    ])

    // The edge reads __Host-DS only: the victim stays the victim.
    await page.goto(`${app}/healthz`)
    const session = () => sessionSeenBy(page)
    expect(await session()).toEqual({ status: 200, userId: 'U2victim' })

    // Without a session of their own, the planted DS signs no one in (no login CSRF).
    await cdp.send('Network.deleteCookies', { name: '__Host-DS', url: `${app}/` })
    expect(await session()).toEqual({ status: 401, userId: undefined })
    await page.close()
  })

  it("should ignore a sibling's cookie named __Host-DS or __Host-DSR after a Unicode space, which Chromium accepts with Domain= (T56)", async () => {
    const page = await context.newPage()
    const cdp = await context.newCDPSession(page)
    await cdp.send('Network.clearBrowserCookies')
    const [victim, attacker] = [await sessionOf('U2victim'), await sessionOf('U2attacker')]
    const attackerRefresh = await emulator.sign({ iss: emulator.projectId, sub: 'U2attacker', iat: now() - 5, exp: now() + 3600, drn: 'DSR' })
    await cdp.send('Network.setCookie', { name: '__Host-DS', value: victim, url: `${app}/`, path: '/', secure: true, httpOnly: true, sameSite: 'Strict' })

    await page.goto(`${evil}/healthz`)
    await page.evaluate(
      ([session, refresh]) => {
        // biome-ignore lint/suspicious/noDocumentCookie: the attacker's page writes cookies the classic way
        document.cookie = `\u2000__Host-DS=${session}; Domain=site.localhost; Path=/; Secure`
        // biome-ignore lint/suspicious/noDocumentCookie: as above
        document.cookie = `\u2000__Host-DSR=${refresh}; Domain=site.localhost; Path=/; Secure`
      },
      [attacker, attackerRefresh]
    )
    // Chromium took them for the whole site: they reach the edge's host beside the victim's cookie.
    const { cookies } = await cdp.send('Network.getCookies', { urls: [`${app}/auth/session`] })
    expect(cookies.map(({ name, domain }) => `${name}@${domain}`).sort()).toEqual([
      '__Host-DS@app.site.localhost',
      '\u2000__Host-DS@.site.localhost',
      '\u2000__Host-DSR@.site.localhost',
    ])

    await page.goto(`${app}/healthz`)
    const session = () => sessionSeenBy(page)
    // The look-alike neither replaces the victim's session nor makes it ambiguous…
    expect(await session()).toEqual({ status: 200, userId: 'U2victim' })
    // …and without one, neither planted cookie signs anyone in, nor is the refresh token sent to Descope.
    await cdp.send('Network.deleteCookies', { name: '__Host-DS', url: `${app}/` })
    await emulator.resetCalls()
    expect(await session()).toEqual({ status: 401, userId: undefined })
    expect((await emulator.calls())['POST /v1/auth/refresh'] ?? 0).toBe(0)
    await page.close()
  })
})

/** What the edge's session check answers the page (on the edge's host). */
function sessionSeenBy(page: Page) {
  return page.evaluate(async () => {
    const response = await fetch('/auth/session')
    return { status: response.status, userId: response.ok ? ((await response.json()) as { userId: string }).userId : undefined }
  })
}
