import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { decodeUbjson, UbjsonError } from '../../../src/model/formats/ubjson.js';
import { parseXGBoostJson } from '../../../src/model/formats/xgboost-json.js';
import { allFixtures, fixtureFile } from './tree-model-fixtures.js';

/** Bytes from markers (strings, as ASCII) and big-endian numbers ([type, value]). */
function ub(...parts: (string | [string, number | bigint] | number[])[]): Uint8Array {
  const out: number[] = [];
  for (const part of parts) {
    if (typeof part === 'string') for (const ch of Buffer.from(part, 'utf8')) out.push(ch);
    else if (typeof part[0] === 'number') out.push(...(part as number[]));
    else {
      const [type, value] = part as [string, number | bigint];
      const view = new DataView(new ArrayBuffer(8));
      const size = { i: 1, U: 1, I: 2, l: 4, L: 8, d: 4, D: 8 }[type]!;
      if (type === 'i') view.setInt8(0, Number(value));
      if (type === 'U') view.setUint8(0, Number(value));
      if (type === 'I') view.setInt16(0, Number(value));
      if (type === 'l') view.setInt32(0, Number(value));
      if (type === 'L') view.setBigInt64(0, BigInt(value));
      if (type === 'd') view.setFloat32(0, Number(value));
      if (type === 'D') view.setFloat64(0, Number(value));
      out.push(...new Uint8Array(view.buffer, 0, size));
    }
  }
  return Uint8Array.from(out);
}

describe('UBJSON decoder', () => {
  it('decodes every scalar type, big-endian', () => {
    assert.equal(decodeUbjson(ub('Z')), null);
    assert.equal(decodeUbjson(ub('T')), true);
    assert.equal(decodeUbjson(ub('F')), false);
    assert.equal(decodeUbjson(ub('i', ['i', -5])), -5);
    assert.equal(decodeUbjson(ub('U', ['U', 200])), 200);
    assert.equal(decodeUbjson(ub('I', ['I', -300])), -300);
    assert.equal(decodeUbjson(ub('l', ['l', 70000])), 70000);
    assert.equal(decodeUbjson(ub('L', ['L', 2n ** 40n])), 2 ** 40);
    assert.equal(decodeUbjson(ub('d', ['d', 0.7])), Math.fround(0.7));
    assert.equal(decodeUbjson(ub('D', ['D', 0.1])), 0.1);
    assert.equal(decodeUbjson(ub('H', 'U', ['U', 4], '3.25')), 3.25);
    assert.equal(decodeUbjson(ub('C', 'a')), 'a');
    assert.equal(decodeUbjson(ub('S', 'U', ['U', 6], 'héllo')), 'héllo');
  });

  it('decodes arrays: open-ended, counted, and strongly typed (numeric ones to typed arrays of their type)', () => {
    assert.deepEqual(decodeUbjson(ub('[', 'i', ['i', 1], 'N', 'S', 'U', ['U', 1], 'x', ']')), [1, 'x']);
    assert.deepEqual(decodeUbjson(ub('[', '#', 'U', ['U', 2], 'T', 'Z')), [true, null]);
    const floats = decodeUbjson(ub('[', '$', 'd', '#', 'U', ['U', 2], ['d', 0.1], ['d', -2]));
    assert.ok(floats instanceof Float32Array);
    assert.deepEqual([...floats], [Math.fround(0.1), -2]);
    const ints = decodeUbjson(ub('[', '$', 'l', '#', 'i', ['i', 3], ['l', -1], ['l', 5], ['l', 70000]));
    assert.ok(ints instanceof Int32Array);
    assert.deepEqual([...ints], [-1, 5, 70000]);
    assert.ok(decodeUbjson(ub('[', '$', 'U', '#', 'U', ['U', 1], ['U', 255])) instanceof Uint8Array);
    assert.deepEqual(decodeUbjson(ub('[', '$', 'S', '#', 'U', ['U', 2], 'U', ['U', 1], 'a', 'U', ['U', 2], 'bc')), ['a', 'bc']);
    assert.deepEqual(decodeUbjson(ub('[', '$', 'Z', '#', 'U', ['U', 3])), [null, null, null]);
    assert.deepEqual(decodeUbjson(ub('[', ']')), []);
  });

  it('decodes objects: open-ended, counted and typed; "__proto__" is an own key as JSON.parse makes it', () => {
    assert.deepEqual(decodeUbjson(ub('{', 'U', ['U', 1], 'a', 'i', ['i', 1], 'U', ['U', 1], 'b', '{', '}', '}')), { a: 1, b: {} });
    assert.deepEqual(decodeUbjson(ub('{', '#', 'U', ['U', 1], 'U', ['U', 1], 'a', 'T')), { a: true });
    assert.deepEqual(decodeUbjson(ub('{', '$', 'i', '#', 'U', ['U', 2], 'U', ['U', 1], 'a', ['i', 1], 'U', ['U', 1], 'b', ['i', 2])), { a: 1, b: 2 });
    const proto = decodeUbjson(ub('{', 'U', ['U', 9], '__proto__', 'i', ['i', 7], '}')) as Record<string, unknown>;
    assert.ok(Object.hasOwn(proto, '__proto__'));
    assert.equal(Object.getPrototypeOf(proto), Object.prototype);
    assert.deepEqual(proto, JSON.parse('{"__proto__": 7}'));
  });

  it('refuses malformed input with UbjsonError: truncation, unknown markers, trailing bytes, bad lengths, deep nesting', () => {
    const bad = [
      ub('[', '$', 'd', '#', 'U', ['U', 2], ['d', 1]), // 4 bytes short
      ub('S', 'U', ['U', 9], 'short'),
      ub('{', 'U', ['U', 1], 'a'),
      ub('[', 'i', ['i', 1]),
      ub('X'),
      ub('T', 'T'),
      ub('S', 'i', ['i', -1]),
      ub('S', 'd', ['d', 1]),
      ub('[', '$', 'd', 'i', ['i', 1]),
      ub('[', '#', 'L', ['L', 2n ** 50n]),
      ub('S', 'U', ['U', 1], [0xff]),
      ub('['.repeat(300) + ']'.repeat(300)),
      new Uint8Array(0),
    ];
    for (const bytes of bad) assert.throws(() => decodeUbjson(bytes), UbjsonError, Buffer.from(bytes).toString('latin1').slice(0, 30));
  });

  it('decodes what XGBoost wrote to the same document as its JSON of the same booster (every fixture pair)', () => {
    const pairs = allFixtures().filter((f) => f.expected.models.some((m) => m.endsWith('.ubj')) && f.expected.models.some((m) => m.endsWith('.json')));
    assert.ok(pairs.length >= 6);
    for (const fixture of pairs) {
      const json = parseXGBoostJson('model.json', readFileSync(fixtureFile(fixture, fixture.expected.models.find((m) => m.endsWith('.json'))!), 'utf8'));
      const ubj = decodeUbjson(readFileSync(fixtureFile(fixture, fixture.expected.models.find((m) => m.endsWith('.ubj'))!)));
      sameDocument(ubj, json, `${fixture.directory}/${fixture.name}`);
    }
  });
});

/** UBJSON's float32 arrays against JSON's shortest decimals (which read back as the same float32); all else equal. */
function sameDocument(ubj: unknown, json: unknown, path: string): void {
  if (ArrayBuffer.isView(ubj)) {
    const values = ubj as unknown as ArrayLike<number>;
    assert.ok(Array.isArray(json) && json.length === values.length, `${path}: length`);
    for (let i = 0; i < values.length; i++) {
      const j = (json as unknown[])[i];
      const expected = j === 'NaN' ? NaN : typeof j === 'boolean' ? Number(j) : ubj instanceof Float32Array ? Math.fround(j as number) : j;
      assert.ok(Object.is(values[i], expected) || (values[i] === 0 && expected === 0), `${path}[${i}]: ${values[i]} vs ${String(j)}`);
    }
  } else if (Array.isArray(ubj)) {
    assert.ok(Array.isArray(json) && json.length === ubj.length, `${path}: length`);
    ubj.forEach((v, i) => sameDocument(v, (json as unknown[])[i], `${path}[${i}]`));
  } else if (typeof ubj === 'object' && ubj !== null) {
    assert.ok(typeof json === 'object' && json !== null, path);
    assert.deepEqual(Object.keys(ubj).sort(), Object.keys(json).sort(), path);
    for (const key of Object.keys(ubj)) sameDocument((ubj as Record<string, unknown>)[key], (json as Record<string, unknown>)[key], `${path}.${key}`);
  } else if (typeof ubj === 'number' && typeof json === 'number') {
    // A scalar float is written as float32 in UBJSON and as its shortest decimal in JSON.
    assert.ok(ubj === json || ubj === Math.fround(json), `${path}: ${ubj} vs ${json}`);
  } else {
    assert.deepEqual(ubj, json, path);
  }
}
