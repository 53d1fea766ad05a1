/** Types the contract carries that belong to no single core module. */
export interface AppInfo {
  version: string;
  /** "sandbox" when the built-in sandbox API is in use: nothing reaches Spirii. */
  mode: 'spirii' | 'sandbox';
  apiUrl: string;
  /** Shown on screen whenever it is not null. */
  sandboxNotice: string | null;
  dataDir: string;
}
