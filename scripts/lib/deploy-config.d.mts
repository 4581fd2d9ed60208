export declare function deploymentOf(
  config: Record<string, unknown>,
  envName: string
): { name: string; vars: Record<string, string>; routes: Array<string | { pattern: string; zone_name?: string }>; workersDev: boolean }
export declare function deployProblems(config: Record<string, unknown>, envName: string): string[]
