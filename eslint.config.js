// Lint runs in `npm test`. Its layering rules are the point: the core runs in plain Node, so it may
// not import Electron, and native packages are reached only through their one adapter each.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { defineConfig } from 'eslint/config';

const native = {
  'better-sqlite3': 'electron/core/db/sqlite.ts',
  'nfc-pcsc': 'electron/core/readers/pcsc.ts',
  '@pokusew/pcsclite': 'electron/core/readers/pcsc.ts',
  'node-hid': 'electron/core/readers/hid.ts',
};

const electronBan = {
  name: 'electron',
  message: 'The core runs in plain Node: no Electron here. Put it in electron/main and pass a narrow interface in.',
};
const nativeBans = Object.entries(native).map(([name, adapter]) => ({
  name,
  message: `Native package: import it only in its adapter (${adapter}).`,
}));
/** The window's boundary (the contract, its handler table, its audit wrapping) sits outside the core, which serves CLI and window alike. */
const contractBan = {
  group: ['**/contract', '**/contract/*'],
  message: 'The core knows nothing of the window: the contract imports the core, never the other way. Put window-facing code in electron/contract.',
};
/** Core files get the contract ban on top of whatever import bans apply to them. */
const inCore = (file) => file.startsWith('electron/core/');
const rawIpcBan = {
  name: 'electron',
  importNames: ['ipcMain', 'ipcRenderer'],
  message: 'Raw IPC only in electron/main/ipc.ts and electron/preload: everything else goes through the contract.',
};

export default defineConfig(
  { ignores: ['dist/**', 'native/**', 'release/**', 'test-results/**', 'node_modules/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['electron/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [rawIpcBan, ...nativeBans] }] },
  },
  {
    files: ['electron/core/**', 'electron/contract/**', 'electron/sandbox/**', 'electron/cli/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [electronBan, ...nativeBans] }] },
  },
  {
    files: ['electron/core/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [electronBan, ...nativeBans], patterns: [contractBan] }] },
  },
  ...Object.entries(native).map(([name, adapter]) => ({
    files: [adapter],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electronBan, ...nativeBans.filter((b) => b.name !== name && native[b.name] !== adapter)],
          ...(inCore(adapter) ? { patterns: [contractBan] } : {}),
        },
      ],
    },
  })),
  {
    files: ['electron/main/ipc.ts', 'electron/preload/**'],
    rules: { 'no-restricted-imports': ['error', { paths: nativeBans }] },
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electronBan, ...nativeBans],
          patterns: [
            { group: ['node:*'], message: 'The renderer is a sandboxed web page: no Node modules.' },
            {
              regex: '^(\\.\\./)+electron/(?!contract/)',
              message: 'The renderer sees the main process only through electron/contract.',
            },
            {
              regex: '^(\\.\\./)+electron/contract/(handlers|audit-calls|dispatch)$',
              message: "The handler table and the dispatcher run in the main process; the renderer takes the contract's types and names only.",
            },
          ],
        },
      ],
    },
  },
);
