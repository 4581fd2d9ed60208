export declare const CHROMIUM_ARGS: string[]
export declare const CHROMIUM_PATH: string
export declare const PLATFORM_AUTHENTICATOR: {
  readonly protocol: 'ctap2'
  readonly transport: 'internal'
  readonly hasResidentKey: true
  readonly hasUserVerification: true
  readonly isUserVerified: true
  readonly automaticPresenceSimulation: true
}
