import { describe, expect, it } from 'vitest';
import { FrameCutter } from '../../../agent/src/ingest/cutter.ts';

/** A byte stream of `frames` frames whose bytes encode (frame index, byte index) so misplaced bytes show. */
function stream(frameBytes: number, frames: number): Uint8Array {
  const out = new Uint8Array(frameBytes * frames);
  for (let i = 0; i < out.length; i++) out[i] = (Math.floor(i / frameBytes) * 31 + (i % frameBytes)) & 0xff;
  return out;
}

function chunksOf(data: Uint8Array, sizes: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let off = 0;
  for (let i = 0; off < data.length; i++) {
    const n = sizes[i % sizes.length];
    out.push(data.subarray(off, off + n));
    off += n;
  }
  return out;
}

describe('FrameCutter', () => {
  const width = 5;
  const height = 3;
  const frameBytes = width * height * 3;

  it.each([
    ['one byte at a time', [1]],
    ['chunks smaller than a frame', [7, 13, 2]],
    ['chunks spanning several frames', [frameBytes * 2 + 11, 3]],
    ['exactly one frame per chunk', [frameBytes]],
  ])('cuts exact frames from %s', (_name, sizes) => {
    const data = stream(frameBytes, 6);
    const frames: Uint8Array[] = [];
    const cutter = new FrameCutter(width, height, (f) => frames.push(Uint8Array.from(f)));
    for (const c of chunksOf(data, sizes)) cutter.push(c);
    expect(frames).toHaveLength(6);
    frames.forEach((f, i) => expect(f).toEqual(data.subarray(i * frameBytes, (i + 1) * frameBytes)));
    expect(cutter.partialBytes).toBe(0);
  });

  it('reports the bytes of a frame cut short by the end of the stream', () => {
    const frames: Uint8Array[] = [];
    const cutter = new FrameCutter(width, height, (f) => frames.push(f));
    cutter.push(stream(frameBytes, 2).subarray(0, frameBytes + 10));
    expect(frames).toHaveLength(1);
    expect(cutter.discardPartial()).toBe(10);
    expect(cutter.partialBytes).toBe(0);
  });

  it('reuses recycled buffers and never hands out a buffer that is still in use', () => {
    const seen: Uint8Array[] = [];
    const cutter = new FrameCutter(width, height, (f) => seen.push(f));
    const data = stream(frameBytes, 1);
    cutter.push(data);
    cutter.push(data);
    expect(seen[0]).not.toBe(seen[1]);
    cutter.recycle(seen[0]);
    cutter.recycle(seen[0]);
    cutter.push(data);
    cutter.push(data);
    expect(seen[2]).toBe(seen[0]);
    expect(seen[3]).not.toBe(seen[0]);
    expect(seen[3]).not.toBe(seen[1]);
  });

  it('ignores buffers it did not hand out', () => {
    const seen: Uint8Array[] = [];
    const cutter = new FrameCutter(width, height, (f) => seen.push(f));
    const foreign = new Uint8Array(frameBytes);
    cutter.recycle(foreign);
    cutter.push(stream(frameBytes, 1));
    expect(seen[0]).not.toBe(foreign);
  });

  it('rejects a frame size that is not a positive integer', () => {
    expect(() => new FrameCutter(0, 10, () => {})).toThrow(/positive integer frame size, got 0×10/);
  });
});
