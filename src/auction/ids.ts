// Ping and post ids: random (version 4) UUIDs, like crypto.randomUUID(), made
// for the auction's hot path. The random bytes come from the same CSPRNG, drawn
// a batch at a time; each id is written as ASCII into one small buffer and read
// out as one flat string. randomUUID() builds its string from twenty
// concatenated pieces, which at fifty pings an auction made up a good part of
// the auction's garbage (and young-generation collections).

import { randomFillSync } from 'node:crypto';

const IDS_PER_BATCH = 256;
const random = Buffer.allocUnsafeSlow(16 * IDS_PER_BATCH);
let next = random.length;

/** Two ASCII hex digits per byte value, low byte first. */
const HEX_PAIRS = new Uint16Array(256);
for (let i = 0; i < 256; i++) {
  const h = i.toString(16).padStart(2, '0');
  HEX_PAIRS[i] = h.charCodeAt(0) | (h.charCodeAt(1) << 8);
}

const text = Buffer.allocUnsafeSlow(36);
const DASH = 0x2d;

/** A new random UUID (version 4, RFC 9562), lower-case: `xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx`. */
export function newId(): string {
  if (next === random.length) {
    randomFillSync(random);
    next = 0;
  }
  const at = next;
  next += 16;
  random[at + 6] = (random[at + 6]! & 0x0f) | 0x40; // version 4
  random[at + 8] = (random[at + 8]! & 0x3f) | 0x80; // variant 10xx
  let o = 0;
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) text[o++] = DASH;
    const pair = HEX_PAIRS[random[at + i]!]!;
    text[o++] = pair & 0xff;
    text[o++] = pair >> 8;
  }
  return text.toString('latin1', 0, 36);
}
