/**
 * @module
 * The client of the emulator's test-control API (emulator/README.md, "Test-control API"), for
 * every harness: the workerd, Node and browser tests, and the benchmarks. Plain JavaScript so
 * that `bench/` and `scripts/` run it under Node without a build; types in the `.d.mts` beside it.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/** A fresh, well-formed Descope project ID: the emulator gives each its own users, keys, counts and faults. */
export function newProjectId() {
  return `P${Array.from(crypto.getRandomValues(new Uint8Array(27)), (byte) => ALPHABET[byte % ALPHABET.length]).join('')}`
}

/** The test-control API of one project of the emulator at `baseUrl`. */
export function emulatorControl(projectId, baseUrl, { fetch: fetcher = fetch } = {}) {
  const base = `${baseUrl}/emulator/${projectId}`
  async function send(method, path, body) {
    const response = await fetcher(`${base}${path}`, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await response.text()
    if (!response.ok) throw new Error(`emulator control ${method} ${path}: ${response.status} ${text.slice(0, 200)}`)
    return JSON.parse(text)
  }
  return {
    projectId,
    async calls() {
      return (await send('GET', '/calls')).calls
    },
    async count(route) {
      return (await this.calls())[route] ?? 0
    },
    resetCalls: () => send('DELETE', '/calls'),
    fault: (fault) => send('POST', '/faults', fault),
    clearFaults: () => send('DELETE', '/faults'),
    rotateKeys: (options = {}) => send('POST', '/keys/rotate', options),
    setClock: (offsetSeconds) => send('POST', '/clock', { offsetSeconds }),
    settings: (settings = {}) => send('PUT', '/settings', settings),
    createUser: async (user) => (await send('POST', '/users', user)).userId,
    user: (userId) => send('GET', `/users/${userId}`),
    patchUser: (userId, patch) => send('PATCH', `/users/${userId}`, patch),
    removePasskeys: (userId) => send('DELETE', `/users/${userId}/passkeys`),
    outbox: async () => (await send('GET', '/outbox')).emails,
    sign: async (payload, header = {}) => (await send('POST', '/sign', { payload, header })).jwt,
    async refresh(refreshJwt) {
      const response = await fetcher(`${baseUrl}/v1/auth/refresh`, { method: 'POST', headers: { Authorization: `Bearer ${projectId}:${refreshJwt}` } })
      return { status: response.status, body: await response.json() }
    },
  }
}
