import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * The runtime's structured logger: pino, pretty-printed when stdout is a terminal, JSON lines
 * otherwise. The level comes from `SPINDLE_LOG_LEVEL`; it is `silent` under the test runner.
 */
export function createLogger(name = 'spindle', level = defaultLevel()): Logger {
  if (level !== 'silent' && process.stdout.isTTY === true) {
    return pino({
      name,
      level,
      transport: { target: 'pino-pretty', options: { colorize: true, ignore: 'pid,hostname' } },
    });
  }
  return pino({ name, level });
}

function defaultLevel(): string {
  const configured = process.env['SPINDLE_LOG_LEVEL'];
  if (configured !== undefined && configured !== '') return configured;
  return process.env['VITEST'] !== undefined ? 'silent' : 'info';
}
