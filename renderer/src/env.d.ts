/// <reference types="svelte" />
/// <reference types="vite/client" />
import type { StationTransport } from './lib/types';

declare global {
  interface Window {
    /** Exposed by the Electron preload (electron/preload/index.ts); absent in a plain browser. */
    readonly station?: StationTransport;
  }
}

export {};
