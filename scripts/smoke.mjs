#!/usr/bin/env node
// `npm run smoke -- https://your.host`: a live check of a deployed Worker and the real Descope
// project behind it, driven like a person would with Chromium and a virtual authenticator:
// health, readiness, sign-up with a throwaway login ID, the session, a protected route, a
// refresh, and sign-out everywhere. Each step prints PASS or FAIL; a failure names its likely
// cause. Exit code 0 when every step passed. The throwaway user stays in the Descope project
// (its login ID is printed): remove it in the console.
//
// `npm test` runs it against the dev stack (test/e2e/smoke.test.ts), so it cannot rot.
import { chromium } from 'playwright-core'
import { CHROMIUM_ARGS, CHROMIUM_PATH, PLATFORM_AUTHENTICATOR } from './lib/chromium.mjs'
import { causeOf } from './lib/smoke-causes.mjs'

const base = (process.argv[2] ?? '').replace(/\/+$/, '')
if (!/^https?:\/\/[^/]+$/.test(base)) {
  console.error('usage: npm run smoke -- https://your.host   (the origin the page and the Worker are served from)')
  process.exit(2)
}
const host = new URL(base).hostname
const loginId = `smoke-${crypto.randomUUID().slice(0, 8)}@example.com`

let failed = false
/** Runs one step: PASS with a detail, or FAIL with the likely cause; later steps need earlier ones. */
async function step(name, run) {
  if (failed) return console.log(`SKIP ${name}`)
  try {
    const detail = await run()
    console.log(`PASS ${name}${detail ? ` — ${detail}` : ''}`)
  } catch (error) {
    failed = true
    console.log(`FAIL ${name} — ${error.message}`)
  }
}

const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS })
try {
  const context = await browser.newContext()
  const page = await context.newPage()
  /** One call to the Worker from the page (same origin, its cookies, its Origin header). */
  const api = (method, path, body) =>
    page.evaluate(
      async ({ method, path, body }) => {
        try {
          const response = await fetch(path, {
            method,
            headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
            body: body === undefined ? undefined : JSON.stringify(body),
          })
          const text = await response.text()
          let json = null
          try {
            json = JSON.parse(text)
          } catch {}
          return { status: response.status, body: json, text: text.slice(0, 300) }
        } catch (error) {
          return { status: 0, body: null, text: String(error) }
        }
      },
      { method, path, body }
    )
  /** The answer when it has `status`, else an error naming the likely cause. */
  const expectStatus = (answer, status, step) => {
    if (answer.status === status) return answer
    throw new Error(causeOf({ step, answer, base, host }))
  }
  const sessionCookie = async () => (await context.cookies(base)).find((cookie) => cookie.httpOnly && /DS$/.test(cookie.name) && !/DSR$/.test(cookie.name))

  await step('the Worker answers /healthz', async () => {
    const response = await page.goto(`${base}/healthz`).catch((error) => {
      throw new Error(causeOf({ step: 'reach', answer: { status: 0, text: String(error) }, base, host }))
    })
    expectStatus({ status: response.status(), body: await response.json().catch(() => null), text: '' }, 200, 'healthz')
  })

  await step('/readyz: KV, signing keys and the passkey domain', async () => {
    const answer = await api('GET', '/readyz')
    expectStatus(answer, 200, 'readyz')
    return JSON.stringify(answer.body.checks)
  })

  let started
  await step(`sign-up start for the throwaway login ID ${loginId}`, async () => {
    const answer = expectStatus(await api('POST', '/auth/passkey/signup/start', { loginId }), 200, 'start')
    started = answer.body
    const rpId = started.options?.publicKey?.rp?.id ?? host
    if (host !== rpId && !host.endsWith(`.${rpId}`)) throw new Error(causeOf({ step: 'rpId', answer, base, host, rpId }))
    return `rp.id ${rpId}`
  })

  await step('passkey made by the virtual authenticator, sign-up finish', async () => {
    const cdp = await context.newCDPSession(page)
    await cdp.send('WebAuthn.enable')
    await cdp.send('WebAuthn.addVirtualAuthenticator', { options: PLATFORM_AUTHENTICATOR })
    const made = await page.evaluate(async (json) => {
      try {
        const publicKey = PublicKeyCredential.parseCreationOptionsFromJSON(json.publicKey)
        const credential = await navigator.credentials.create({ publicKey })
        return { response: credential.toJSON() }
      } catch (error) {
        return { error: `${error.name}: ${error.message}` }
      }
    }, started.options)
    if (made.error) throw new Error(causeOf({ step: 'create', answer: { status: 0, text: made.error }, base, host, rpId: started.options.publicKey.rp?.id }))
    const finish = await api('POST', '/auth/passkey/signup/finish', { transactionId: started.transactionId, response: made.response })
    expectStatus(finish, 200, 'finish')
    if (!(await sessionCookie())) throw new Error(causeOf({ step: 'cookies', answer: finish, base, host }))
  })

  await step('the session (GET /auth/session)', async () => {
    const answer = expectStatus(await api('GET', '/auth/session'), 200, 'session')
    return `user ${answer.body.userId}`
  })

  await step('a protected route (GET /api/hello)', async () => {
    expectStatus(await api('GET', '/api/hello'), 200, 'protected')
  })

  await step('a refresh at the edge (POST /auth/refresh)', async () => {
    const before = (await sessionCookie())?.value
    const answer = expectStatus(await api('POST', '/auth/refresh'), 200, 'refresh')
    if (!(await sessionCookie())) throw new Error(causeOf({ step: 'cookies', answer, base, host }))
    return (await sessionCookie())?.value === before ? 'same session token (issued within the same second)' : 'new session token'
  })

  await step('sign out everywhere (POST /auth/logout-all), then no session', async () => {
    expectStatus(await api('POST', '/auth/logout-all'), 200, 'logout')
    expectStatus(await api('GET', '/auth/session'), 401, 'after-logout')
  })
} finally {
  await browser.close()
}
console.log(failed ? `smoke FAILED against ${base}` : `smoke passed against ${base} (throwaway user ${loginId})`)
process.exit(failed ? 1 : 0)
