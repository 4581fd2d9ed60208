/**
 * @module
 * How the browser tests and `npm run smoke` start Debian's Chromium in a container (headless, no
 * sandbox, no GPU, nothing phoning home) and the virtual authenticator they give it.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
]

/** Debian's Chromium (`apt-get install -y chromium`); `CHROMIUM_PATH` overrides it. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** A CDP virtual authenticator playing a platform one (like Touch ID or Windows Hello) that verifies the user and says yes. */
export const PLATFORM_AUTHENTICATOR = Object.freeze({
  protocol: 'ctap2',
  transport: 'internal',
  hasResidentKey: true,
  hasUserVerification: true,
  isUserVerified: true,
  automaticPresenceSimulation: true,
})
