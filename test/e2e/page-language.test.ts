/**
 * @module
 * The page's message table follows its language: the same page served as `<html lang="de">`
 * speaks German (static/messages-de.js) — proof that the table can be swapped for a translation.
 */
import { chromium, type Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { CHROMIUM_ARGS, clientOf } from './chromium'

const baseUrl = inject('baseUrl')
const chromiumPath = inject('chromiumPath')

describe.skipIf(!chromiumPath)('the page in another language, in Chromium', () => {
  let browser: Browser

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS })
  })

  afterAll(async () => {
    await browser?.close()
  })

  it('says its outcomes in German when the page is lang="de"', async () => {
    const page = await (await browser.newContext(clientOf(import.meta.url))).newPage()
    await page.route(`${baseUrl}/`, async (route) => {
      const served = await route.fetch()
      await route.fulfill({ response: served, body: (await served.text()).replace('<html lang="en">', '<html lang="de">') })
    })
    await page.goto(baseUrl)
    await expect.poll(() => page.locator('#signed-out').isVisible()).toBe(true)
    await page.getByRole('button', { name: 'Continue' }).click()
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Geben Sie zuerst Ihre E-Mail-Adresse oder Ihren Benutzernamen ein.')
  })
})
