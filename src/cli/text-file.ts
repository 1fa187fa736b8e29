import { readFileSync } from 'node:fs';
import { ChurnError } from '../errors.js';

/** The bytes of a file a command reads (a CSV of customers); an unreadable file is one line naming it. */
export function readDataFile(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (cause) {
    throw new ChurnError('DATA_NOT_FOUND', `${file}: cannot read (${(cause as Error).message})`, [], { cause });
  }
}

/** A text file a command reads, as UTF-8 text. */
export function readTextFile(file: string): string {
  return readDataFile(file).toString('utf8');
}
