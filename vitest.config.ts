import { cloudflareTest } from '@cloudflare/vitest-plugin'
import { defineConfig } from 'vitest/config'
import { COMPATIBILITY_DATE, toolchainVersions } from './scripts/lib/workerd.mjs'

/** The project ID the workerd tests configure; any well-formed ID works with the emulator. */
export const TEST_PROJECT_ID = 'P2passkeyedgetest0000000000A'

/** First line of every run: the Node running the tests (`node_modules/.bin/node` from the `node` package under npm scripts) and the one workerd. */
function printToolchain() {
  const { node, wrangler, workerd } = toolchainVersions()
  console.log(`Node ${node} (${process.execPath}) · wrangler ${wrangler} · workerd ${workerd}`)
}

export default defineConfig({
  test: {
    reporters: ['default', { onInit: printToolchain }],
    projects: [
      {
        plugins: [
          cloudflareTest(({ inject }) => ({
            main: './src/index.ts',
            wrangler: { configPath: './wrangler.jsonc' },
            miniflare: {
              bindings: {
                DESCOPE_PROJECT_ID: TEST_PROJECT_ID,
                DESCOPE_BASE_URL: 'http://emulator.localhost',
                ALLOWED_ORIGINS: 'https://app.example.com,https://admin.example.com',
              },
              // Tight limiters for test/workers/rate-limit.test.ts (passed as overrides of
              // RATE_LIMIT_IP / RATE_LIMIT_LOGIN_ID); the real ones come from wrangler.jsonc.
              ratelimits: {
                TEST_LIMIT_IP: { namespace_id: '9101', simple: { limit: 10, period: 60 } },
                TEST_LIMIT_LOGIN_ID: { namespace_id: '9102', simple: { limit: 5, period: 60 } },
              },
              // The "other Workers" of test/workers/session-rpc.test.ts and example.test.ts, reached by the tests.
              serviceBindings: { SESSION_CLIENT: 'session-client', EXAMPLE: 'example' },
              // Every fetch the Worker (and the tests) make goes to the emulator Worker.
              outboundService: 'emulator',
              workers: [
                {
                  // Another Worker protecting its routes through a service binding to the
                  // SessionVerifier entrypoint of this one (docs/session.md). The Worker under
                  // test runs as the plugin's runner, named after the project ("workers").
                  name: 'session-client',
                  modules: true,
                  compatibilityDate: COMPATIBILITY_DATE,
                  serviceBindings: { SESSION: { name: 'vitest-plugin-runner-workers', entrypoint: 'SessionVerifier' } },
                  script: `export default {
                    async fetch(request, env) {
                      const token = request.headers.get('X-Token')
                      const result = token === null
                        ? await env.SESSION.verifyRequest({ headers: [...request.headers], method: request.method, url: request.url }, { stepup: request.headers.has('X-Stepup') })
                        : await env.SESSION.verify(token)
                      if (!result.ok) return Response.json({ error: result.code }, { status: result.status })
                      return Response.json({ userId: result.session.userId, session: result.session })
                    },
                  }`,
                },
                {
                  // examples/worker, built against the packed package (test/support/packed-package.ts),
                  // with its service binding to this Worker's SessionVerifier and the emulator as Descope.
                  name: 'example',
                  modules: true,
                  scriptPath: inject('exampleBundle'),
                  compatibilityDate: COMPATIBILITY_DATE,
                  bindings: { DESCOPE_PROJECT_ID: TEST_PROJECT_ID, DESCOPE_BASE_URL: 'http://emulator.localhost' },
                  serviceBindings: { SESSION: { name: 'vitest-plugin-runner-workers', entrypoint: 'SessionVerifier' } },
                  outboundService: 'emulator',
                },
                {
                  name: 'emulator',
                  modules: true,
                  scriptPath: inject('emulatorBundle'),
                  compatibilityDate: COMPATIBILITY_DATE,
                  // One SQLite-backed Durable Object per project ID (emulator/wrangler.jsonc).
                  durableObjects: { PROJECTS: { className: 'EmulatorProject', useSQLite: true } },
                },
              ],
            },
          })),
        ],
        test: {
          name: 'workers',
          include: ['test/workers/**/*.test.ts'],
          globalSetup: ['./test/support/build-emulator.ts'],
        },
      },
      {
        // The official @descope/node-sdk (and other Node clients) against the emulator over HTTP.
        test: {
          name: 'node',
          environment: 'node',
          include: ['test/node/**/*.test.ts'],
          globalSetup: ['./test/support/start-emulator.ts'],
          testTimeout: 20_000,
        },
      },
      {
        // A real Chromium with a virtual authenticator against the dev stack (Worker + emulator).
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['./test/support/start-dev-stack.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // A page waits on the dev stack (session check, ceremonies): on a busy CI machine that
          // can take seconds, so polls wait up to 15 s instead of vitest's 1 s.
          expect: { poll: { timeout: 15_000 } },
        },
      },
    ],
  },
})
