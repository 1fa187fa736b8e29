import { isChurnError } from '../errors.js';

/**
 * Runs a command body; a ChurnError becomes one line on stderr with its code and exit code 1,
 * so users see what is wrong and where, not a stack trace.
 */
export async function runSafely(body: () => unknown | Promise<unknown>): Promise<void> {
  try {
    await body();
  } catch (error) {
    if (!isChurnError(error)) throw error;
    process.stderr.write(`error ${error.code}: ${error.message}\n`);
    process.exitCode = 1;
  }
}
