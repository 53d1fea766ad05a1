/** `token-station`: the core from a terminal. Exit codes: 0 done, 1 not everything done, 2 bad input. */
import { COMMANDS } from './commands';
import { UsageError } from './args';
import { ConfigError } from '../core/config';
import { line, printable, quoted, shorten, type Io } from './output';

const HELP = `Usage: token-station <command> [options]

${Object.values(COMMANDS)
  .map((c) => `  ${c.usage}`)
  .join('\n')}

Environment: TOKEN_STATION_DATA_DIR (database and settings), TOKEN_STATION_API_URL (default
https://api.spirii.com), TOKEN_STATION_API_KEY (never a flag). Without a key, the built-in
sandbox is used and nothing reaches Spirii.`;

export async function runCli(argv: string[], io: Io): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    line(name ? io.stdout : io.stderr, HELP);
    return name ? 0 : 2;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    line(io.stderr, `token-station: unknown command ${quoted(name)} (try --help)`);
    return 2;
  }
  // One line, whatever the error: its own line breaks and control characters escaped, and
  // bounded, so a huge value in it cannot flood the terminal.
  const say = (message: string) => line(io.stderr, `token-station ${name}: ${printable(shorten(message, 300))}`);
  try {
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError) {
      say(error.message);
      return 2;
    }
    say(error instanceof Error ? error.message : String(error));
    return 1;
  }
}

function interruption(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

/**
 * Resolves once everything written to the stream has reached the OS (the pipe, the file, the
 * terminal). A pipe holds 64 KiB: what is beyond that waits in this process until the reader
 * (jq, a script) takes it, and `process.exit` before then would drop it. A reader that went away
 * (EPIPE: `| head`) ends the wait too; its output is no longer wanted.
 */
function drained(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || !stream.writable) return resolve();
    stream.once('error', () => resolve());
    stream.write('', () => resolve());
  });
}

// A reader that closes its end early (`| head`) is not an error of this command: stop quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const code = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, interrupted: interruption() });
// The one place the CLI ends: only after stdout and stderr have drained, so output through a
// pipe is complete. Exiting (rather than only setting process.exitCode) still ends a command
// whose library left a timer or a socket behind.
process.exitCode = code;
await Promise.all([drained(process.stdout), drained(process.stderr)]);
process.exit(code);
