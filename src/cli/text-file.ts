import { readFileSync } from 'node:fs';
import { ChurnError } from '../errors.js';

/** A text file a command reads (a CSV of customers); an unreadable file is one line naming it. */
export function readTextFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (cause) {
    throw new ChurnError('DATA_NOT_FOUND', `${file}: cannot read (${(cause as Error).message})`, [], { cause });
  }
}
