import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** What a sample run printed and how it ended. */
export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly lines: readonly string[];
}

/** Runs a sample as `npm start` would, with runtime logs silenced so stdout is its own lines. */
export function runSample(main: string, env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(
      'node_modules/.bin/tsx',
      [main],
      {
        cwd: repoRoot,
        env: { ...process.env, SPINDLE_LOG_LEVEL: 'silent', ...env },
        timeout: 15_000,
      },
      (error, stdout, stderr) => {
        // A non-zero exit is a result to assert on; a spawn failure or a timeout kill is not.
        if (error !== null && typeof error.code !== 'number') {
          reject(new Error('the sample did not run to its end', { cause: error }));
          return;
        }
        const code = error === null ? 0 : Number(error.code);
        resolve({ code, stdout, stderr, lines: stdout.split('\n').filter((l) => l !== '') });
      },
    );
  });
}
