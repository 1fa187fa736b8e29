import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SeededRandom } from '../../../src/foundation/seeded-random.js';
import { batchFieldsOf, batchMatrices } from '../../../src/serving/codecs/batch-rows.js';
import { encodeBatchCsv } from '../../../src/serving/codecs/csv-batch.js';
import { decodeCsvRows } from '../../../src/serving/codecs/csv-batch-decoder.js';
import { answerOf, bytesOf, capturingPlane, dataFileLines, referenceCsv, type BatchAnswer } from '../../helpers/batch-paths.js';

const MAX = 10;
const { plane, scored } = capturingPlane(MAX);
const reference = capturingPlane(MAX);
const encoder = plane.runtime.encoder;
const fields = batchFieldsOf(encoder)!;

function decodedInOnePass(body: string | Buffer): boolean {
  return decodeCsvRows(bytesOf(body), encoder, fields, MAX, batchMatrices()) !== undefined;
}

/**
 * The one-pass path's answer must be the reference path's (csv-parse of the bytes' text, then the record encoder),
 * exactly.
 */
function assertSameAnswer(body: string | Buffer, explain = false): BatchAnswer {
  const options = explain ? { explain: true } : {};
  const bytes = bytesOf(body);
  const fast = answerOf(() => plane.predictCsvBatch(bytes, options, 'rest'), scored);
  const old = answerOf(() => referenceCsv(reference.plane, bytes.toString('utf8'), options), reference.scored);
  assert.deepStrictEqual(fast, old, `answers differ for ${JSON.stringify(bytes.toString('utf8').slice(0, 600))}`);
  return fast;
}

const header = (): string[] => dataFileLines()[0]!.split(',');
const rowsOf = (from: number, count: number): string[][] => dataFileLines().slice(1 + from, 1 + from + count).map((line) => line.split(','));
const csvText = (head: readonly string[], rows: readonly (readonly string[])[], eol = '\n'): string => [head.join(','), ...rows.map((r) => r.join(','))].join(eol) + eol;

const pick = <T>(rng: SeededRandom, items: readonly T[]): T => items[Math.floor(rng.next() * items.length)]!;

/** A cell quoted, its quotes doubled. */
const quoted = (cell: string): string => `"${cell.replaceAll('"', '""')}"`;

const numberCells = ['+5', '.5', '5.', '1e3', '1E+2', ' 7 ', '7 ', '0x1', 'Infinity', '1e400', '-0', '00012', '12345678901234567890', '1.0000000000000002',
  '14091.588174813081', '', ' ', '\t3', 'twelve', '1,5', '-1', '1201', '0.5', '3\u00a0', '१२'];
const textCells = ['male', 'Yes ', ' Yes', '', 'No internet service', '=HYPERLINK("x")', 'a,b', 'line\nbreak', 'cr\r\nlf', 'say "hi"', 'é', '😀', 'x'.repeat(257), 'x'.repeat(256)];

/** A CSV batch: the data file's header and rows, with the variations clients and spreadsheets produce, sometimes broken. */
function csvBody(rng: SeededRandom): string {
  let head = header();
  let rows = rowsOf(Math.floor(rng.next() * 5000), Math.floor(rng.next() * (MAX + 3)));
  const r = rng.next();
  const reorder = (order: number[]): void => {
    head = order.map((i) => head[i]!);
    rows = rows.map((row) => order.map((i) => row[i] ?? ''));
  };
  if (r < 0.1) reorder(rng.shuffled(head.map((_, i) => i)));
  else if (r < 0.15) reorder(head.map((_, i) => i).filter((i) => head[i] !== 'TotalCharges'));
  else if (r < 0.18) reorder(head.map((_, i) => i).filter((i) => head[i] !== pick(rng, ['tenure', 'gender', 'customerID'])));
  else if (r < 0.23) reorder([...head.map((_, i) => i), Math.floor(rng.next() * head.length)]);
  if (rng.next() < 0.1) head = head.map((h) => (rng.next() < 0.3 ? ` ${h} ` : h));
  if (rng.next() < 0.05) head = head.map((h) => (rng.next() < 0.5 ? quoted(h) : h));
  if (rng.next() < 0.05) { head = [...head, 'note']; rows = rows.map((row) => [...row, pick(rng, textCells)]); }
  for (const row of rows) {
    for (let c = 0; c < row.length; c++) {
      const u = rng.next();
      if (u < 0.015) row[c] = pick(rng, numberCells);
      else if (u < 0.03) row[c] = quoted(pick(rng, textCells));
      else if (u < 0.045) row[c] = pick(rng, textCells.filter((t) => !/[",\r\n]/.test(t)));
      else if (u < 0.06) row[c] = quoted(row[c]!);
    }
    if (rng.next() < 0.02) row.push('extra');
    if (rng.next() < 0.02) row.pop();
  }
  const eol = rng.next() < 0.3 ? '\r\n' : '\n';
  let text = [head.join(','), ...rows.map((row) => row.join(','))].join(eol);
  if (rng.next() < 0.7) text += eol;
  if (rng.next() < 0.1) text = text.split(eol).map((line) => (rng.next() < 0.2 ? `${line}${eol}` : line)).join(eol);
  if (rng.next() < 0.1) text = `\ufeff${text}`;
  if (rng.next() < 0.08) text = `${eol}${eol}${text}${eol}${eol}`;
  if (rng.next() < 0.12) {
    // Damage: a stray quote, a line break of the other kind, a lone CR, text after a closing quote, a cut.
    const at = Math.floor(rng.next() * text.length);
    const insert = pick(rng, ['"', eol === '\n' ? '\r\n' : '\n', '\r', '"x"y', ',', '\u0000', '\ud800']);
    text = rng.next() < 0.8 ? text.slice(0, at) + insert + text.slice(at) : text.slice(0, at);
  }
  return text;
}

describe('CSV batch in one pass', () => {
  test('the data file\'s own rows are decoded in one pass and answered as csv-parse + the record encoder answer them', () => {
    const text = csvText(header(), rowsOf(0, MAX));
    assert.ok(decodedInOnePass(text));
    const answer = assertSameAnswer(text);
    assert.equal(answer.outcome?.count, MAX);
  });

  test('differential: thousands of generated bodies, valid and broken, answer exactly as the reference path', () => {
    const rng = new SeededRandom(1201);
    let onePass = 0;
    let failedRecords = 0;
    const codes = new Map<string, number>();
    const bodies = 1500;
    for (let i = 0; i < bodies; i++) {
      const text = csvBody(rng);
      if (decodedInOnePass(text)) onePass++;
      const answer = assertSameAnswer(text, rng.next() < 0.1);
      failedRecords += answer.outcome?.failed ?? 0;
      if (answer.error !== undefined) codes.set(answer.error.code, (codes.get(answer.error.code) ?? 0) + 1);
    }
    assert.ok(onePass > bodies * 0.5, `only ${onePass} of ${bodies} bodies were decoded in one pass`);
    assert.ok(failedRecords > 300, `only ${failedRecords} invalid records`);
    for (const code of ['MALFORMED_CSV', 'INVALID_BODY', 'BATCH_TOO_LARGE']) assert.ok((codes.get(code) ?? 0) > 10, `${code}: ${codes.get(code) ?? 0}`);
  });

  test('quoted cells with commas, line breaks and quotes; a byte-order mark; CRLF; empty lines', () => {
    const head = header();
    const [first, second] = rowsOf(0, 2);
    const quotedRow = first!.map((cell, c) => (head[c] === 'customerID' ? quoted('A,"1"\nB') : head[c] === 'PaymentMethod' ? quoted(cell) : cell));
    for (const text of [
      csvText(head, [quotedRow, second!]),
      `\ufeff${csvText(head, [first!, second!], '\r\n')}`,
      `\n\n${head.join(',')}\n\n${first!.join(',')}\n\n\n${second!.join(',')}`,
      csvText(head, [quotedRow], '\r\n').replace('A,""1""\nB', 'A,""1""\r\nB'),
    ]) {
      assert.ok(decodedInOnePass(text), JSON.stringify(text.slice(0, 80)));
      assert.equal(assertSameAnswer(text).outcome?.failed, 0);
    }
    assert.equal((assertSameAnswer(csvText(head, [quotedRow])).outcome?.results[0] as { customerID: string }).customerID, 'A,"1"\nB');
  });

  test('bytes that are not plain ASCII: multi-byte characters and invalid UTF-8 read as the text they decode to', () => {
    const head = header();
    const [first, second] = rowsOf(0, 2);
    const id = head.indexOf('customerID');
    const gender = head.indexOf('gender');
    const plain = Buffer.from(csvText(head, [first!.map((cell, c) => (c === id ? 'Zoë-😀-東京' : cell)), second!.map((cell, c) => (c === id ? 'BROKEN' : cell))]), 'utf8');
    const broken = Buffer.from(plain);
    broken.set([0x80, 0xe6, 0x9d], broken.indexOf('BROKEN') + 1);
    assert.ok(decodedInOnePass(plain) && decodedInOnePass(broken));
    assert.equal((assertSameAnswer(plain).outcome?.results[0] as { customerID: string }).customerID, 'Zoë-😀-東京');
    assert.match((assertSameAnswer(broken).outcome?.results[1] as { customerID: string }).customerID, /\uFFFD/);
    // A category spelled with a non-ASCII look-alike is not the category; a lone surrogate in a text is U+FFFD in bytes.
    for (const cell of ['Fémale', 'Fe\ud800male']) {
      assert.equal(assertSameAnswer(csvText(head, [first!.map((c, k) => (k === gender ? cell : c))])).outcome?.failed, 1);
    }
  });

  test('numbers at the edges, blanks and spaces convert as a record\'s cells do', () => {
    const head = header();
    const at = (name: string): number => head.indexOf(name);
    for (const [tenure, total] of [['0', ''], ['1200', ' '], ['1201', '1e400'], ['-0', '10000000'], [' 7 ', '10000000.000000001'], ['+5', '.5'], ['5.', '14091.588174813081'], ['7', '"12"'], ['0x1', '1e3']]) {
      const row = rowsOf(0, 1)[0]!;
      row[at('tenure')] = tenure!;
      row[at('TotalCharges')] = total!;
      assertSameAnswer(csvText(head, [row]));
    }
  });

  test('a header lacking a nullable column is fine; lacking a required one is INVALID_BODY; repeated columns: the last wins', () => {
    const head = header();
    const keep = (drop: string) => head.map((_, i) => i).filter((i) => head[i] !== drop);
    const without = (drop: string): string => csvText(keep(drop).map((i) => head[i]!), rowsOf(0, 3).map((row) => keep(drop).map((i) => row[i]!)));
    assert.ok(decodedInOnePass(without('TotalCharges')));
    assert.equal(assertSameAnswer(without('TotalCharges')).outcome?.failed, 0);
    assert.equal(assertSameAnswer(without('tenure')).error?.code, 'INVALID_BODY');
    const repeated = csvText([...head, 'tenure'], rowsOf(0, 2).map((row, r) => [...row, r === 0 ? 'x' : '3']));
    assert.equal(assertSameAnswer(repeated).outcome?.failed, 1);
  });

  test('malformed CSV is MALFORMED_CSV, worded by csv-parse as before', () => {
    const head = header().join(',');
    const row = dataFileLines()[1]!;
    for (const text of [`${head}\n${row},extra\n`, `${head}\n"${row}\n`, `${head}\n${row.replace(',', ',a"b')}\n`, `${head}\n"7590"x,${row.slice(row.indexOf(',') + 1)}\n`]) {
      assert.equal(assertSameAnswer(text).error?.code, 'MALFORMED_CSV');
    }
  });

  test('a batch of MAX_BATCH_SIZE rows is decoded in one pass; one more is BATCH_TOO_LARGE', () => {
    assert.ok(decodedInOnePass(csvText(header(), rowsOf(0, MAX))));
    const over = csvText(header(), rowsOf(0, MAX + 1));
    assert.equal(decodedInOnePass(over), false);
    assert.equal(assertSameAnswer(over).error?.code, 'BATCH_TOO_LARGE');
  });

  test('formula-like ids come back neutralised in the CSV answer, as before', () => {
    const head = header();
    const row = rowsOf(0, 1)[0]!;
    row[head.indexOf('customerID')] = '=cmd|" /C calc"!A0';
    const answer = assertSameAnswer(csvText(head, [row].map((r) => r.map((cell) => (cell.includes('"') ? quoted(cell) : cell)))));
    assert.equal((answer.outcome?.results[0] as { customerID: string }).customerID, '=cmd|" /C calc"!A0');
    assert.ok(encodeBatchCsv(answer.outcome!).split('\n')[1]!.startsWith(`"'=cmd|"" /C calc""!A0",`));
  });
});
