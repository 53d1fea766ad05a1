/** `token-station sandbox`: the built-in sandbox Spirii API, served until Ctrl+C. */
import { startSandbox } from '../sandbox/server';
import { nonNegativeInt, parse, UsageError } from './args';
import { line, type Io } from './output';

type Command = (args: string[], io: Io) => Promise<number>;

export const sandbox: Command = async (args, io) => {
  const { values } = parse(args, { port: { type: 'string' }, 'api-key': { type: 'string' } });
  const port = nonNegativeInt('port', values.port) ?? 0;
  if (port > 65535) throw new UsageError(`--port must be at most 65535, got ${port}`);
  const apiKey = values['api-key'] ?? 'sandbox-key';
  if (!apiKey.trim()) throw new UsageError('--api-key must not be empty');
  const server = await startSandbox({ port, apiKey, host: '127.0.0.1' });
  line(io.stdout, server.url);
  line(io.stderr, `Sandbox Spirii API on ${server.url}, API key "${apiKey}". Nothing here reaches Spirii. Ctrl+C stops it.`);
  await io.interrupted;
  await server.close();
  return 0;
};
