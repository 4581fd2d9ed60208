// A site's own sign-in page with passkey-edge/client (the Worker serves /auth/* on this host).
// Type-checked against the packed package by test/node/package.test.ts.
import { ApiError, type ErrorCode, currentSession, needsStepUp, signIn, signUpOrIn, stepUp } from 'passkey-edge/client'

const form = document.querySelector<HTMLFormElement>('#sign-in')
form?.addEventListener('submit', async (event) => {
  event.preventDefault()
  const loginId = new FormData(form).get('loginId')
  try {
    const { user, created } = await signUpOrIn(String(loginId))
    console.log(created ? 'account created for' : 'signed in as', user?.userId)
  } catch (error) {
    // The edge's stable code (typed), or the browser's DOMException when the person cancelled.
    const code: ErrorCode | undefined = error instanceof ApiError ? error.code : undefined
    console.log('sign-in failed', code ?? (error as DOMException).name)
  }
})

document.querySelector('#passkey')?.addEventListener('click', async () => {
  await signIn() // no login ID: the browser lists this site's passkeys
  const session = await currentSession()
  console.log(session?.userId, session?.amr)
})

/** Calls a route that may ask for a fresh passkey confirmation (step-up), and retries once. */
export async function transfer(body: unknown): Promise<Response> {
  const send = () => fetch('/api/transfer', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
  const response = await send()
  const challenge = new ApiError('unauthorized', '', response.status, response.headers)
  if (!needsStepUp(challenge)) return response
  await stepUp()
  return send()
}
