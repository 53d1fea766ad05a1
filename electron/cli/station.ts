/** The CLI's way into the core: one Station on the data folder, closed when the command is done. */
import { Station, SANDBOX_NOTICE } from '../core/station';
import { configFromEnv } from '../core/config';
import { line, type Io } from './output';
import { cliLogger } from './security';

export async function openStation(io: Io, options: { pcsc?: boolean; json?: boolean } = {}): Promise<Station> {
  const config = configFromEnv(io.env);
  const station = await Station.create({
    dataDir: config.dataDir,
    api: config.api,
    readers: { pcsc: options.pcsc ?? false, simulated: true },
    sync: { autoStart: false },
    userAgent: 'TokenStation-CLI',
    logger: cliLogger(config.dataDir),
  });
  if (station.mode === 'sandbox' && !options.json) line(io.stderr, `${SANDBOX_NOTICE} (set TOKEN_STATION_API_KEY to use Spirii)`);
  return station;
}

export async function withStation<T>(io: Io, options: Parameters<typeof openStation>[1], run: (station: Station) => Promise<T>): Promise<T> {
  const station = await openStation(io, options);
  try {
    return await run(station);
  } finally {
    await station.close();
  }
}
