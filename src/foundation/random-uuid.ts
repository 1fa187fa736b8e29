import { randomFillSync } from 'node:crypto';

// Ids are made this many at a time, from random bytes drawn at once, as crypto.randomUUID draws its own.
const IDS_PER_FILL = 256;
const BYTES = 16;
const LENGTH = 36;
const random = Buffer.allocUnsafeSlow(BYTES * IDS_PER_FILL);
// The ids of one fill side by side, written in place; the dashes never move.
const text = Buffer.from('00000000-0000-0000-0000-000000000000'.repeat(IDS_PER_FILL), 'latin1');
const textView = new DataView(text.buffer, text.byteOffset, text.byteLength);
// Where each of an id's 16 bytes' two hex digits go.
const DIGITS_AT = new Int32Array([0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34]);
// A byte's two hex digits as one little-endian 16-bit word, so each byte is one store, at any offset.
const HEX_PAIRS = new Uint16Array(256);
for (let byte = 0; byte < 256; byte++) HEX_PAIRS[byte] = hexDigit(byte >> 4) | (hexDigit(byte & 0x0f) << 8);
let ids = '';
let nextId = IDS_PER_FILL;

function hexDigit(value: number): number {
  return '0123456789abcdef'.charCodeAt(value);
}

/** Writes a fill's ids into `text` and reads them out as one string. */
function fill(): void {
  randomFillSync(random);
  for (let id = 0; id < IDS_PER_FILL; id++) {
    const from = id * BYTES;
    const to = id * LENGTH;
    // RFC 9562: the version nibble is 4, the variant bits 10.
    random[from + 6] = (random[from + 6]! & 0x0f) | 0x40;
    random[from + 8] = (random[from + 8]! & 0x3f) | 0x80;
    for (let i = 0; i < BYTES; i++) textView.setUint16(to + DIGITS_AT[i]!, HEX_PAIRS[random[from + i]!]!, true);
  }
  ids = text.toString('latin1');
  nextId = 0;
}

/**
 * A random (version 4) UUID in its usual lowercase text, from the same source as `crypto.randomUUID()`. Why not
 * that: it joins 20 strings per id, which V8 must then flatten. Here 256 ids are written into one buffer and read
 * out as one string, and each id is a slice of it, which shares its characters: a request that gets a fresh id
 * neither calls into C++ nor copies (docs/server.md, Performance).
 */
export function randomUuid(): string {
  if (nextId === IDS_PER_FILL) fill();
  const at = nextId++ * LENGTH;
  return ids.slice(at, at + LENGTH);
}
