import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SeededRandom } from '../../../src/foundation/seeded-random.js';
import { batchFieldsOf, batchMatrices } from '../../../src/serving/codecs/batch-rows.js';
import { decodeJsonBatch } from '../../../src/serving/codecs/json-batch-decoder.js';
import type { DataPlane } from '../../../src/serving/data-plane.js';
import { answerOf, bytesOf, capturingPlane, referenceJson, type BatchAnswer } from '../../helpers/batch-paths.js';
import { dataRecords, validRecord } from '../../helpers/fixtures.js';

const MAX = 10;
const { plane, scored } = capturingPlane(MAX);
const reference = capturingPlane(MAX);
const encoder = plane.runtime.encoder;
const fields = batchFieldsOf(encoder)!;

/** Whether the one-pass decoder took the body itself (rather than leaving it to the reference path). */
function decodedInOnePass(body: string | Buffer, maxRecords = MAX): boolean {
  return decodeJsonBatch(bytesOf(body), encoder, fields, maxRecords, batchMatrices()) !== undefined;
}

/**
 * The one-pass path's answer and the reference path's, for the same body: the reference reads the bytes' text as
 * the server did before it kept bodies as bytes (Fastify's UTF-8 decoding, the same as Buffer's).
 */
function bothAnswers(body: string | Buffer, explain = false, p: DataPlane = plane): { fast: BatchAnswer; old: BatchAnswer } {
  const options = explain ? { explain: true } : {};
  const bytes = bytesOf(body);
  return {
    fast: answerOf(() => p.predictJsonBatch(bytes, options, 'rest'), scored),
    old: answerOf(() => referenceJson(reference.plane, bytes.toString('utf8'), options), reference.scored),
  };
}

function assertSameAnswer(body: string | Buffer, explain = false): BatchAnswer {
  const { fast, old } = bothAnswers(body, explain);
  assert.deepStrictEqual(fast, old, `answers differ for ${JSON.stringify(bytesOf(body).toString('utf8').slice(0, 400))}`);
  return fast;
}

const body = (records: unknown[]): string => JSON.stringify({ records });

// A JSON value written with choices JSON.stringify never makes: duplicate keys, escapes, number spellings, spaces.
type Doc = { object: [string, Doc][] } | { array: Doc[] } | { raw: string } | string | number | boolean | null;

function write(doc: Doc, rng: SeededRandom): string {
  const space = (): string => ['', '', '', ' ', '\n  ', '\t', '\r\n'][Math.floor(rng.next() * 7)]!;
  if (doc === null || typeof doc === 'boolean' || typeof doc === 'number') return JSON.stringify(doc);
  if (typeof doc === 'string') return writeString(doc, rng);
  if ('raw' in doc) return doc.raw;
  if ('array' in doc) return `[${space()}${doc.array.map((d) => write(d, rng)).join(`${space()},${space()}`)}${space()}]`;
  return `{${space()}${doc.object.map(([k, v]) => `${writeString(k, rng)}${space()}:${space()}${write(v, rng)}`).join(`${space()},${space()}`)}${space()}}`;
}

/** A JSON string, sometimes with characters escaped that need not be. */
function writeString(text: string, rng: SeededRandom): string {
  if (rng.next() > 0.1) return JSON.stringify(text);
  return `"${Array.from(text, (c) => {
    const r = rng.next();
    if (c === '"' || c === '\\') return `\\${c}`;
    if (c.charCodeAt(0) < 0x20) return JSON.stringify(c).slice(1, -1);
    if (r < 0.3) return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
    if (r < 0.35 && c === '/') return '\\/';
    return c;
  }).join('')}"`;
}

const pick = <T>(rng: SeededRandom, items: readonly T[]): T => items[Math.floor(rng.next() * items.length)]!;

const numberSpellings = ['0', '-0', '1', '1.0', '1e0', '1E+0', '10e-1', '0.5', '-1', '1.5', '1e400', '-1e400', '12345678901234567890', '0.30000000000000004',
  '1200', '1201', '100000', '100000.0000001', '99.99999999999999999', '29.85', '1e2', '2.5e-3', '0.1e1', '5e-324', '1.7976931348623157e308',
  // 16 to 19 significant digits: past what a double's mantissa holds exactly.
  '56.950000000000003', '0.12345678901234567', '1889.5000000000000001', '9007199254.740993', '14091.588174813081', '7692.8007843123748', '8901.6346803624918'];
const badNumbers = ['01', '1.', '.5', '+1', '-', '1e', '1e+', '0x10', 'NaN', 'Infinity', '1..2', '--1'];
const strings = ['Male', 'male', 'Yes ', '', 'No internet service', 'M\u0061le', 'é', '\u2028', 'a"b', 'a\\b', 'line\nbreak', '😀', '=1+1', '\ud800'];

/** A record of the data file, mutated the ways clients get records wrong (or unusual but right). */
function recordDoc(rng: SeededRandom): Doc {
  const source = pick(rng, dataRecords());
  let entries: [string, Doc][] = Object.entries(source).map(([k, v]) => [k, v as Doc]);
  if (rng.next() < 0.1) entries = rng.shuffled(entries);
  const features = encoder.schema.features;
  // Usually a field's value is replaced; sometimes the field is repeated (JSON.parse keeps the last).
  const set = (key: string, value: Doc): void => {
    const at = entries.findIndex(([k]) => k === key);
    if (at < 0 || rng.next() < 0.15) entries.push([key, value]);
    else entries[at] = [key, value];
  };
  const mutations = Math.floor(rng.next() * 3);
  for (let m = 0; m < mutations; m++) {
    const r = rng.next();
    const at = Math.floor(rng.next() * entries.length);
    const feature = pick(rng, features);
    if (r < 0.1) entries.splice(at, 1);
    else if (r < 0.2 && entries[at] !== undefined) entries[at] = [entries[at]![0], null];
    else if (r < 0.35) set(feature.name, { raw: pick(rng, numberSpellings) });
    else if (r < 0.4) set(feature.name, { raw: pick(rng, badNumbers) });
    else if (r < 0.5) set(feature.name, pick(rng, [...strings, ...(feature.kind === 'categorical' ? feature.categories : [])]));
    else if (r < 0.55) set(feature.name, pick(rng, [true, false, { array: [] }, { object: [] }, 3]));
    else if (r < 0.65) entries.splice(at, 0, [pick(rng, ['note', 'Churn', 'nested', '', '__proto__', 'constructor', 'ten\u0075re']), nested(rng, 0)]);
    else if (r < 0.72) set('customerID', pick(rng, ['A-1', '', 'x'.repeat(256), 'x'.repeat(257), 'quote"d', 'uni\u00e9', '😀', '\u0000'] as Doc[]));
    else if (r < 0.76) set('customerID', pick(rng, [7, null, true, { array: [] }] as Doc[]));
    else if (r < 0.8) entries = entries.filter(([k]) => k !== 'TotalCharges');
    else if (r < 0.85 && entries[at] !== undefined) entries.push(entries[at]!);
  }
  if (rng.next() < 0.04) return pick(rng, [7, 'record', null, true, { array: [] }, { array: [{ object: entries }] }] as Doc[]);
  return { object: entries };
}

function nested(rng: SeededRandom, depth: number): Doc {
  const r = rng.next();
  if (depth > 3 || r < 0.4) return pick(rng, [1, 'text', null, false, { raw: '-2.5E-3' }, 'esc\\aped "quote"'] as Doc[]);
  if (r < 0.7) return { array: Array.from({ length: Math.floor(rng.next() * 3) }, () => nested(rng, depth + 1)) };
  return { object: Array.from({ length: Math.floor(rng.next() * 3) }, (_, i) => [`k${i}`, nested(rng, depth + 1)] as [string, Doc]) };
}

/** A batch body: usually {"records": [...]}, sometimes another shape, sometimes damaged. */
function bodyText(rng: SeededRandom): string {
  const count = Math.floor(rng.next() * (MAX + 3));
  const records: Doc = { array: Array.from({ length: count }, () => recordDoc(rng)) };
  let top: [string, Doc][] = [['records', records]];
  const r = rng.next();
  if (r < 0.05) top = [['meta', nested(rng, 0)], ...top, ['more', 1]];
  else if (r < 0.07) top = [['records', { object: [] }]];
  else if (r < 0.09) top = [...top, ['records', { array: [] }]];
  else if (r < 0.1) top = [['rec\u006frds', records]];
  let text = r > 0.1 && r < 0.12 ? write(records, rng) : write({ object: top }, rng);
  if (rng.next() < 0.15) {
    // Damage: a character dropped, added or changed.
    const edits = 1 + Math.floor(rng.next() * 2);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(rng.next() * text.length);
      const c = pick(rng, ['{', '}', '[', ']', ',', ':', '"', '\\', ' ', '\u0001', '\n', 'x', '0', '-', '.', 'e']);
      const kind = rng.next();
      text = kind < 0.33 ? text.slice(0, at) + text.slice(at + 1) : kind < 0.66 ? text.slice(0, at) + c + text.slice(at) : text.slice(0, at) + c + text.slice(at + 1);
    }
  }
  if (rng.next() < 0.03) text = `\ufeff${text}`;
  if (rng.next() < 0.05) text = ` \n${text}\r\n `;
  return text;
}

describe('JSON batch in one pass', () => {
  test('a plain batch is decoded in one pass and answered as the reference path answers it', () => {
    const text = body(dataRecords().slice(0, MAX));
    assert.ok(decodedInOnePass(text));
    const answer = assertSameAnswer(text);
    assert.equal(answer.outcome?.count, MAX);
    assert.equal(answer.outcome?.failed, 0);
  });

  test('differential: thousands of generated bodies, valid and broken, answer exactly as JSON.parse + the record encoder', () => {
    const rng = new SeededRandom(20261201);
    let onePass = 0;
    let failedRecords = 0;
    let malformed = 0;
    const bodies = 1500;
    for (let i = 0; i < bodies; i++) {
      const text = bodyText(rng);
      if (decodedInOnePass(text)) onePass++;
      const answer = assertSameAnswer(text, rng.next() < 0.1);
      failedRecords += answer.outcome?.failed ?? 0;
      if (answer.error?.code === 'MALFORMED_JSON') malformed++;
    }
    // The generator reaches every kind of answer, and most bodies exercise the one-pass decoder itself.
    assert.ok(onePass > bodies * 0.5, `only ${onePass} of ${bodies} bodies were decoded in one pass`);
    assert.ok(failedRecords > 500, `only ${failedRecords} invalid records`);
    assert.ok(malformed > 50, `only ${malformed} malformed bodies`);
  });

  test('a body cut at any byte answers as the reference path: keys and categories are never compared past its end', () => {
    const text = body(dataRecords().slice(0, 3));
    for (let end = 0; end <= text.length; end++) assertSameAnswer(text.slice(0, end));
  });

  test('a body inside a larger buffer, at an odd offset, is read within its own bytes', () => {
    const text = body(dataRecords().slice(0, 3));
    // The bytes after the body's end continue it, so reading past the end would find the key or category it expects.
    const whole = Buffer.from(`xyz${text}${text}`);
    for (const end of [text.length, text.indexOf('"gender"', 200) + 3, text.lastIndexOf('"Month-to-month"') + 5]) {
      const bytes = whole.subarray(3, 3 + end);
      assert.equal(bytes.byteOffset % 4, (whole.byteOffset + 3) % 4);
      assertSameAnswer(bytes);
    }
  });

  test('escapes, unicode and extra fields (nested too) read as JSON.parse reads them', () => {
    const record = validRecord();
    const escaped = body([record]).replace('"gender":"Female"', '"gend\\u0065r":"F\\u0065male"').replace('"customerID":"7590-VHVEG"', '"customerID":"\\"7590\\u00e9\\ud83d\\ude00\\/"');
    const extra = body([{ ...record, note: { deep: [1, { x: [null, true, 'a\\"b'] }] }, 'é': '😀' }]);
    for (const text of [escaped, extra]) {
      assert.ok(decodedInOnePass(text));
      assertSameAnswer(text);
    }
    const answer = assertSameAnswer(escaped);
    assert.equal((answer.outcome?.results[0] as { customerID: string }).customerID, '"7590é😀/');
  });

  test('bytes that are not plain ASCII: multi-byte characters, invalid UTF-8, a byte-order mark, read as the text they decode to', () => {
    const plain = Buffer.from(body([{ ...validRecord(), customerID: 'Zoë-😀-東京' }, { ...validRecord(), customerID: 'BROKEN', note: 'NOTE' }]), 'utf8');
    // Invalid sequences (a lone continuation byte, a truncated 3-byte sequence, an overlong form) inside an id and
    // inside a field the model ignores: both paths see U+FFFD where the bytes do not decode.
    const broken = Buffer.from(plain);
    const at = (word: string): number => broken.indexOf(word);
    broken.set([0x80, 0xe6, 0x9d], at('BROKEN') + 1);
    broken.set([0xc0, 0xaf], at('NOTE') + 1);
    const answer = assertSameAnswer(plain);
    assert.equal((answer.outcome?.results[0] as { customerID: string }).customerID, 'Zoë-😀-東京');
    assert.ok(decodedInOnePass(broken));
    const decoded = assertSameAnswer(broken);
    assert.match((decoded.outcome?.results[1] as { customerID: string }).customerID, /\uFFFD/);
    // A category spelled with a non-ASCII look-alike is not the category (the record encoder's error, word for word).
    assert.equal(assertSameAnswer(Buffer.from(body([{ ...validRecord(), gender: 'Fémale' }]), 'utf8')).outcome?.failed, 1);
    // A byte-order mark is not JSON whitespace: JSON.parse refuses it, and so does the one-pass path.
    assert.equal(assertSameAnswer(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), plain])).error?.code, 'MALFORMED_JSON');
  });

  test('a repeated field counts as JSON.parse counts it: the last one', () => {
    const text = body([validRecord()]).replace('"tenure":1', '"tenure":"one","tenure":2');
    const answer = assertSameAnswer(text);
    assert.equal(answer.outcome?.failed, 0);
    const broken = body([validRecord()]).replace('"tenure":1', '"tenure":2,"tenure":-5');
    assert.equal(assertSameAnswer(broken).outcome?.failed, 1);
  });

  test('numbers at the edges: bounds, -0, exponents, long decimals, overflow', () => {
    // 14091.588174813081 has 17 digits: summed digit by digit in a double it rounds twice and lands one ulp off.
    for (const [tenure, charges] of [['0', '0'], ['1200', '100000'], ['-0', '29.850000000000001'], ['7', '14091.588174813081'], ['1e3', '1.7976931348623157e308'], ['1201', '1e400'], ['0.5', '5e-324'], ['12345678901234567890', '0.30000000000000004']]) {
      const text = body([validRecord()]).replace('"tenure":1', `"tenure":${tenure}`).replace('"MonthlyCharges":29.85', `"MonthlyCharges":${charges}`);
      assertSameAnswer(text);
    }
  });

  test('missing values: an absent or null nullable field is missing, a required one is its error', () => {
    const { TotalCharges: _, ...withoutTotal } = validRecord();
    const { tenure: __, ...withoutTenure } = validRecord();
    const text = body([withoutTotal, { ...validRecord(), TotalCharges: null }, withoutTenure, { ...validRecord(), tenure: null }]);
    assert.ok(decodedInOnePass(text));
    const answer = assertSameAnswer(text);
    assert.equal(answer.outcome?.failed, 2);
    assert.ok(Number.isNaN(answer.scored[0]!.x[encoder.width - 1]!), 'TotalCharges is the last column, missing');
  });

  test('bodies the old path refused are refused the same way', () => {
    for (const text of ['', ' ', '{', '[]', 'null', '{"records":{}}', '{}', '{"records":[1,]}', '{"records":[]}x', '\ufeff{"records":[]}', '{"records":[01]}',
      '{"records":[{"tenure":"\u0001"}]}', '{"records":[{"a":tru}]}', `{"records":[${'['.repeat(5000)}${']'.repeat(5000)}]}`, '{"records":[],"records":[{}]}']) {
      assertSameAnswer(text);
    }
  });

  test('a batch of MAX_BATCH_SIZE records is decoded in one pass; one more is BATCH_TOO_LARGE', () => {
    const exactly = body(dataRecords().slice(0, MAX));
    assert.ok(decodedInOnePass(exactly));
    assert.equal(assertSameAnswer(exactly).outcome?.count, MAX);
    const over = body(dataRecords().slice(0, MAX + 1));
    assert.equal(decodedInOnePass(over), false);
    assert.equal(assertSameAnswer(over).error?.code, 'BATCH_TOO_LARGE');
  });

  test('records are rebuilt from the body only for what reads them (explanations here), as JSON.parse gives them', () => {
    const text = body([validRecord(), { ...validRecord(), tenure: -1 }, { ...validRecord(), customerID: 'B' }]);
    const answer = assertSameAnswer(text, true);
    assert.ok(answer.outcome?.results.every((r) => 'error' in r || r.explanation !== undefined));
  });
});
