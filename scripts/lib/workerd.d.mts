export declare const ROOT: string
/** wrangler.jsonc, parsed. */
export declare const WRANGLER_CONFIG: { compatibility_date: string } & Record<string, unknown>
export declare const COMPATIBILITY_DATE: string
export declare const EMULATOR_DURABLE_OBJECTS: Record<string, { className: string; useSQLite: boolean }>
export declare function bundleWorker(entry: string, outfile: string, options?: Record<string, unknown>): Promise<string>
export declare function bundleEmulator(outfile: string): Promise<string>
export declare function parseJsonc(text: string): unknown
export declare function toolchainVersions(): { node: string; wrangler: string; miniflare: string; workerd: string }
/** The slice of Miniflare's API used here (options in its per-Worker shape). */
export declare function loadMiniflare(): Promise<{
  Miniflare: new (
    options: Record<string, unknown>
  ) => {
    ready: Promise<URL>
    dispose(): Promise<void>
    dispatchFetch(input: string, init?: RequestInit): Promise<Response>
    /** One Worker of the instance by name (its own isolate), for calling it directly. */
    getWorker(name?: string): Promise<{ fetch(input: string, init?: RequestInit): Promise<Response> }>
  }
}>
