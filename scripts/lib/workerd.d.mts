export declare const ROOT: string
export declare const COMPATIBILITY_DATE: string
export declare const EMULATOR_DURABLE_OBJECTS: Record<string, { className: string; useSQLite: boolean }>
export declare function bundleWorker(entry: string, outfile: string, options?: Record<string, unknown>): Promise<string>
export declare function bundleEmulator(outfile: string): Promise<string>
/** The slice of Miniflare 4's API used here. */
export declare function loadMiniflare(): Promise<{
  Miniflare: new (options: Record<string, unknown>) => {
    ready: Promise<URL>
    dispose(): Promise<void>
    dispatchFetch(input: string, init?: RequestInit): Promise<Response>
  }
}>
