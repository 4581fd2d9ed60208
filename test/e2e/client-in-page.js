// Runs inside the page (test/e2e/client.test.ts reads this file as text, so that no bundler
// rewrites its `import()`): a whole account life through passkey-edge/client, as served.
// biome-ignore lint/correctness/noUnusedVariables: called by the evaluated text around this file
async function runClient(loginId) {
  const client = await import(`${location.origin}/client/index.js`)
  const failure = async (run) => {
    try {
      await run()
      return null
    } catch (error) {
      return { name: error.name, code: error.code, status: error.status, requestId: typeof error.requestId }
    }
  }
  const signedUp = await client.signUp(loginId, { name: 'Client Test' })
  const session = await client.currentSession()
  const taken = await failure(() => client.signUp(loginId))
  await client.signOut()
  const afterSignOut = await client.currentSession()
  const signedIn = await client.signIn(loginId)
  const again = await client.signUpOrIn(loginId)
  const refreshed = await client.refresh()
  const noLoginId = await failure(() => client.signUpOrIn(''))
  await client.signOutEverywhere()
  const addDeviceSignedOut = await failure(() => client.addDevice())
  return { signedUp, session, taken, afterSignOut, signedIn, again, refreshed, noLoginId, addDeviceSignedOut }
}
