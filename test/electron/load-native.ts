/**
 * Runs in a fresh process (Node's require cache would otherwise hold the default builds): loads
 * the native addons the way the app does when it runs in Electron version VERSION, from
 * ROOT/native/electron-VERSION-<os>-<arch>/, and prints which files were loaded and whether they work.
 *   node --import tsx load-native.ts ROOT VERSION DATA_DIR
 */
import { nativeAddonPath } from '../../electron/core/native';
import { openDatabase } from '../../electron/core/db/sqlite';
import { PcscReaders } from '../../electron/core/readers/pcsc';

const [root, version, dataDir] = process.argv.slice(2);
const versions = { ...process.versions, electron: version! };
const loaded: string[] = [];
const dlopen = process.dlopen;
process.dlopen = (module: object, filename: string, ...rest: [number?]) => {
  loaded.push(filename);
  return dlopen.call(process, module, filename, ...rest);
};

const sqlite = nativeAddonPath('sqlite', root, versions);
const pcsc = nativeAddonPath('pcsc', root, versions);
const db = openDatabase(dataDir!, { nativeBinding: sqlite });
const sqliteWorks = db.prepare('SELECT sqlite_version() AS v').get() as { v: string };
db.close();

const readers = new PcscReaders({ nativeAddon: pcsc });
const names: string[] = [];
readers.on((event) => event.type === 'attached' && names.push(event.reader.name));
readers.start();
await new Promise((r) => setTimeout(r, 1500));
await readers.stop();
process.stdout.write(JSON.stringify({ sqlite, pcsc, loaded, sqliteVersion: sqliteWorks.v, readers: names, noElectron: nativeAddonPath('sqlite', root) ?? null }) + '\n');
process.exit(0);
