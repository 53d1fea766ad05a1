/**
 * The CLI's commands: the same core as the window, without one. Each command's code is loaded
 * only when that command runs (a dynamic import, a chunk of its own in the bundle), so `--help`
 * loads none of it and `queue` or `uid` not the parts of the core they do not use: loading the
 * whole core (zod, the sandbox, the import and export formats) at every start was most of the
 * CLI's start-up time.
 */
import type { Io } from './output';

type Command = (args: string[], io: Io) => Promise<number>;

/** A command whose code is imported when it runs. */
function lazy(load: () => Promise<Command>): Command {
  return async (args, io) => {
    let run: Command;
    try {
      run = await load();
    } catch (error) {
      // A chunk of the bundle gone (a copy of dist/ made by hand, a build interrupted) is not this command's error.
      const missing = (error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && /Cannot find module '[^']*?(dist[\\/]cli[\\/][^']*\.mjs)'/.exec(String((error as Error).message));
      if (missing) throw new Error(`the CLI is not built completely (${missing[1]} is missing); run "npm run build:cli" in the project folder`, { cause: error });
      throw error;
    }
    return run(args, io);
  };
}

const withStation = async () => (await import('./station')).withStation;

export const COMMANDS: Record<string, { run: Command; usage: string }> = {
  sandbox: { run: lazy(async () => (await import('./sandbox')).sandbox), usage: 'sandbox [--port N] [--api-key K]        serve the sandbox Spirii API on 127.0.0.1' },
  readers: { run: lazy(async () => (await import('./readers')).readers), usage: 'readers [--json]                        the PC/SC service and readers present, errors and what to do' },
  uid: { run: lazy(async () => (await import('./readers')).uid), usage: 'uid VALUE [--from hex|reversed|decimal|8h10d] [--json]   a UID in its stored form and every other format' },
  add: { run: lazy(async () => (await import('./enroll')).add), usage: 'add --uid HEX --customer ID [--label TEXT] [--json]   queue one RFID token' },
  enroll: {
    run: lazy(async () => (await import('./enroll')).enroll),
    usage: 'enroll --customer ID [--count N] [--reader NAME] [--label-prefix P --label-start N] [--simulate | --tap UID...] [--json]',
  },
  sync: {
    run: lazy(async () => (await import('./sync')).syncCommand(await withStation())),
    usage: 'sync [--timeout SECONDS] [--json]       send what is pending, then print counts by state and the sync status; exit 0 when nothing is left to send',
  },
  queue: {
    run: lazy(async () => (await import('./sync')).queueCommand),
    usage: 'queue [--state S]... [--search TEXT] [--json] | queue retry|release [--id N]... | queue discard --id N | queue hold --minutes N | queue batch --size N',
  },
  change: {
    run: lazy(async () => (await import('./change')).changeCommand),
    usage:
      'change --uid UID|--label L|--file F [--active true|false] [--expires DATE|never] [--valid-from DATE] [--roaming true|false] [--priority true|false] [--billing-reference T] [--comment T] [--customer ID] [--json]   queue a change to tokens in Spirii',
  },
  changes: {
    run: lazy(async () => (await import('./change')).changesCommand),
    usage: 'changes [--state S]... [--batch N] [--search TEXT] [--json] | changes pause|resume|cancel|progress --batch N | changes apply-mine|keep-spirii --id N',
  },
  import: {
    run: lazy(async () => (await import('./files')).importCommand),
    usage: 'import FILE [--customer ID] [--uid-format hex|reversed|decimal|8h10d] [--dry-run] [--save-rejected OUT.csv] [--json]   queue the cards of a CSV file',
  },
  export: {
    run: lazy(async () => (await import('./files')).exportCommand),
    usage: 'export --source spirii|local --format csv|xlsx|json --out FILE [--force] [--delimiter ";"] [--bom] [--headers human|api] [--customer ID] [--search S] [--active true|false] [--state S]   export tokens',
  },
  reconcile: { run: lazy(async () => (await import('./files')).reconcileCommand), usage: 'reconcile [--customer ID] [--out FILE [--format F] [--force]] [--json]   compare this desk with Spirii' },
  card: {
    run: lazy(async () => (await import('./card')).cardCommand(await withStation())),
    usage: "card UID|LABEL [--json]                 everything known about a card: its Spirii token, this desk's row and history, audit entries",
  },
  replace: {
    run: lazy(async () => (await import('./replace')).replaceCommand(await withStation())),
    usage: 'replace --old UID|LABEL --new UID [--label L] [--timeout SECONDS] [--json] | replace list [--json]   replace a lost card: a new token like the old one, the old one deactivated once the new one is in Spirii',
  },
  handover: {
    run: lazy(async () => (await import('./card')).handoverCommand(await withStation())),
    usage: 'handover [--customer ID | --import FILE] [--json]   the handover list of this session, a customer or an import',
  },
  audit: { run: lazy(async () => (await import('./security')).audit), usage: 'audit [--action A,B] [--limit N] [--json] [--out FILE [--format csv|json] [--force]]   the audit trail, or export it' },
  diagnostics: { run: lazy(async () => (await import('./security')).diagnostics), usage: 'diagnostics                             version, OS, connection, queue and recent errors (no secrets)' },
};
