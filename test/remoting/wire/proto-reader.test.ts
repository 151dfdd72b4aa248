import { describe, it } from 'vitest';
import { expectDecodeError, wrapBatch } from './frame-fixture.ts';

describe('proto reader', () => {
  it('malformed: known fields with the wrong wire type, groups, bad varints', () => {
    expectDecodeError(new Uint8Array([0x08, 0x01]), /wrong wire type/); // batch as a varint
    expectDecodeError(wrapBatch(new Uint8Array([0x08, 0x01])), /wrong wire type/); // type_names
    expectDecodeError(new Uint8Array([0x4b]), /wire type 3/); // field 9, start group
    expectDecodeError(new Uint8Array([0x4f]), /wire type 7/);
    expectDecodeError(new Uint8Array([0x00]), /invalid field tag 0/);
    const longVarint = new Uint8Array([0x78, ...new Array<number>(10).fill(0xff), 0x01]);
    expectDecodeError(longVarint, /longer than 10 bytes/);
    expectDecodeError(new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]));
  });

  it('malformed: a length that overruns its enclosing message', () => {
    // A batch of 3 bytes holding a string that claims 5.
    expectDecodeError(
      new Uint8Array([0x0a, 0x03, 0x0a, 0x05, 0x61, 0x62, 0x63, 0x64]),
      /overruns|truncated/,
    );
  });
});
