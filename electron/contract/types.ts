/** Types the contract carries that belong to no single core module. */
export interface AppInfo {
  version: string;
  /** "sandbox" when the built-in sandbox API is in use: nothing reaches Spirii. */
  mode: 'spirii' | 'sandbox';
  apiUrl: string;
  /** Shown on screen whenever it is not null. */
  sandboxNotice: string | null;
  dataDir: string;
  /** The simulated reader may tap: only on a sandbox API (built in, or a server on this machine). */
  simulatedTaps: boolean;
}
