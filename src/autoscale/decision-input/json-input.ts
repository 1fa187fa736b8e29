import { readFile } from 'node:fs/promises';
import { ChurnError } from '../../errors.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The JSON document of a decision command, from a file or (path "-" or absent) standard input. */
export async function readJsonInput(path: string | undefined): Promise<unknown> {
  let text: string;
  try {
    text = path === undefined || path === '-' ? await readStdin() : await readFile(path, 'utf8');
  } catch (cause) {
    throw new ChurnError('INVALID_ARGUMENT', `${path}: cannot read (${(cause as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new ChurnError('HPA_INPUT_INVALID', `the input is not valid JSON (${(cause as Error).message})`);
  }
}
