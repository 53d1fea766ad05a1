/** Where the data lives and which API to talk to, from the environment (CLI) or the shell (app). */
import os from 'node:os';
import path from 'node:path';
import type { ApiConnection } from './api/client';

export const APP_NAME = 'Token Station';
export const DEFAULT_API_URL = 'https://api.spirii.com';

/** The same folder Electron's app.getPath('userData') gives the app, so the CLI and the window share a queue. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const home = os.homedir();
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), APP_NAME);
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', APP_NAME);
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), APP_NAME);
}

export interface StationConfig {
  dataDir: string;
  /** Absent: use the built-in sandbox. */
  api: ApiConnection | undefined;
}

export class ConfigError extends Error {}

/**
 * TOKEN_STATION_DATA_DIR, TOKEN_STATION_API_URL, TOKEN_STATION_API_KEY. The key is only ever read
 * from the environment, never a flag, so it stays out of shell history and process lists.
 */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): StationConfig {
  const dataDir = env.TOKEN_STATION_DATA_DIR?.trim() || defaultDataDir(env);
  const apiKey = env.TOKEN_STATION_API_KEY?.trim();
  const apiUrl = env.TOKEN_STATION_API_URL?.trim();
  if (apiUrl) {
    let url: URL;
    try {
      url = new URL(apiUrl);
    } catch {
      throw new ConfigError(`TOKEN_STATION_API_URL is not a URL: ${apiUrl}`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError(`TOKEN_STATION_API_URL must be http(s): ${apiUrl}`);
    if (!apiKey) throw new ConfigError('TOKEN_STATION_API_URL is set but TOKEN_STATION_API_KEY is not: set the key for that API');
  }
  if (!apiKey) return { dataDir, api: undefined };
  return { dataDir, api: { baseUrl: apiUrl || DEFAULT_API_URL, apiKey } };
}
