import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse } from 'csv-parse/sync';
import { ChurnError } from '../errors.js';
import type { RatePoint } from './piecewise-linear-profile.js';

const invalid = (file: string, message: string) => new ChurnError('INVALID_PROFILE', `profile file ${file}: ${message}`);

function pointsFromCsv(file: string, text: string): [unknown, unknown][] {
  const rows = parse(text, { skip_empty_lines: true, trim: true, comment: '#', relax_column_count: true }) as string[][];
  // A header row is optional: skip a first row whose first cell is not a number.
  const body = rows.length > 0 && Number.isNaN(Number(rows[0]![0])) ? rows.slice(1) : rows;
  return body.map((row, i) => {
    if (row.length !== 2) throw invalid(file, `row ${i + 1}: expected 2 columns (seconds, requests per minute), got ${row.length}`);
    return [row[0] === '' ? Number.NaN : Number(row[0]), row[1] === '' ? Number.NaN : Number(row[1])];
  });
}

function pointsFromJson(file: string, text: string): [unknown, unknown][] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw invalid(file, `not valid JSON (${(cause as Error).message})`);
  }
  const list = Array.isArray(value) ? value : (value as { points?: unknown } | null)?.points;
  if (!Array.isArray(list)) throw invalid(file, 'expected an array of points or {"points": [...]}');
  return list.map((item: unknown, i) => {
    if (Array.isArray(item) && item.length === 2) return [item[0], item[1]];
    if (item !== null && typeof item === 'object') {
      const o = item as Record<string, unknown>;
      return [o['seconds'], o['requestsPerMinute']];
    }
    throw invalid(file, `point ${i}: expected {"seconds", "requestsPerMinute"} or [seconds, requestsPerMinute]`);
  });
}

/**
 * Reads (seconds, requests per minute) points from CSV (`.csv`, optional header) or JSON (`.json`).
 * The first point must be at 0 s, seconds must not decrease (equal seconds make a step), rates must be >= 0.
 */
export function readProfileFile(file: string): RatePoint[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw invalid(file, `cannot read (${(cause as Error).message})`);
  }
  const extension = extname(file).toLowerCase();
  if (extension !== '.csv' && extension !== '.json') throw invalid(file, 'expected a .csv or .json file');
  const raw = extension === '.csv' ? pointsFromCsv(file, text) : pointsFromJson(file, text);
  if (raw.length < 2) throw invalid(file, `needs at least 2 points, got ${raw.length}`);
  const points: RatePoint[] = [];
  raw.forEach(([seconds, rpm], i) => {
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) throw invalid(file, `point ${i}: seconds must be a non-negative number, got ${String(seconds)}`);
    if (typeof rpm !== 'number' || !Number.isFinite(rpm) || rpm < 0) throw invalid(file, `point ${i}: requests per minute must be a non-negative number, got ${String(rpm)}`);
    const previous = points[i - 1];
    if (previous !== undefined && seconds < previous.seconds) throw invalid(file, `point ${i}: seconds go backwards (${seconds} after ${previous.seconds})`);
    points.push({ seconds, requestsPerMinute: rpm });
  });
  if (points[0]!.seconds !== 0) throw invalid(file, `the first point must be at 0 seconds, got ${points[0]!.seconds}`);
  if (points[points.length - 1]!.seconds === 0) throw invalid(file, 'the last point must be after 0 seconds');
  return points;
}
