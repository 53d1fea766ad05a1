/**
 * The main process's log: electron-log's file transport in the OS's log folder
 * (app.getPath('logs'): ~/Library/Logs/Token Station, %APPDATA%\Token Station\logs,
 * ~/.config/Token Station/logs), rotated at 1 MiB (main.log -> main.old.log), readable by this
 * user only. The Node flavour of electron-log is used on purpose: electron-log/main would also
 * register an IPC channel for renderer logging, and the window gets no IPC beyond the contract.
 * Every line is redacted twice: by the core's Logger, and by a hook for anything logged directly.
 */
import path from 'node:path';
import log from 'electron-log/node';
import { lineLogger, RecentErrors, redact, type Logger } from '../core/logger';

export interface MainLog {
  logger: Logger;
  recent: RecentErrors;
  file: string;
}

export function createMainLog(folder: string, options: { console: boolean }): MainLog {
  const file = path.join(folder, 'main.log');
  log.transports.file.resolvePathFn = () => file;
  log.transports.file.maxSize = 1024 * 1024;
  log.transports.file.level = 'info';
  log.transports.file.writeOptions = { flag: 'a', mode: 0o600, encoding: 'utf8' };
  log.transports.console.level = options.console ? 'warn' : false;
  log.hooks.push((message) => ({ ...message, data: message.data.map((part: unknown) => (typeof part === 'string' ? redact(part) : part)) }));
  const recent = new RecentErrors();
  const logger = lineLogger((level, line) => log[level](line), recent);
  return { logger, recent, file };
}
