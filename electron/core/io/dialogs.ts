/**
 * The file dialogs the core may ask for. The window never sends a path to read or write: it asks
 * the core to import or export, and the core asks the person through this port (Electron's
 * native dialogs in the app, a scripted answer in tests). A path comes back, or null when the
 * person cancelled.
 */
export interface FileFilter {
  name: string;
  extensions: string[];
}

export interface FileDialogs {
  pickOpenFile(options: { title: string; filters: FileFilter[] }): Promise<string | null>;
  pickSaveFile(options: { title: string; defaultName: string; filters: FileFilter[] }): Promise<string | null>;
}

/** Where no one can be asked (the CLI takes paths as arguments instead). */
export const NO_DIALOGS: FileDialogs = {
  pickOpenFile: () => Promise.reject(new Error('No file dialog is available here; use the CLI: token-station import FILE')),
  pickSaveFile: () => Promise.reject(new Error('No file dialog is available here; use the CLI: token-station export --out FILE')),
};
