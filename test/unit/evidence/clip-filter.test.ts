import { describe, expect, it } from 'vitest';
import { reencodeFilter } from '../../../agent/src/evidence/clip.ts';

const size = { width: 1920, height: 1080 };

describe('the filter graph of a re-encoded clip', () => {
  it('lays the mask over the picture alone when nothing is pixelated', () => {
    expect(reencodeFilter(size, [], true)).toBe('[0:v][1:v]overlay=0:0:format=auto,format=yuv420p[v]');
  });

  it('pixelates each box in blocks of its own side, on even pixels, before the mask', () => {
    const graph = reencodeFilter(
      size,
      [
        { box: { x1: 283, y1: 411, x2: 329, y2: 427 }, block: 8 },
        { box: { x1: 1000, y1: 500, x2: 1100, y2: 560 }, block: 20 },
      ],
      true,
    );
    expect(graph.split(';')).toEqual([
      '[0:v]split=3[p][c0][c1]',
      '[c0]crop=46:16:284:412,scale=6:2:flags=area,scale=46:16:flags=neighbor[b0]',
      '[p][b0]overlay=284:412[p0]',
      '[c1]crop=100:60:1000:500,scale=5:3:flags=area,scale=100:60:flags=neighbor[b1]',
      '[p0][b1]overlay=1000:500[p1]',
      '[p1][1:v]overlay=0:0:format=auto,format=yuv420p[v]',
    ]);
  });

  it('keeps boxes inside the picture and leaves out what is left of one outside it', () => {
    const graph = reencodeFilter(
      size,
      [
        { box: { x1: -40, y1: 1050, x2: 60, y2: 1200 }, block: 10 },
        { box: { x1: 2000, y1: 10, x2: 2100, y2: 50 }, block: 10 },
      ],
      false,
    );
    expect(graph.split(';')).toEqual([
      '[0:v]split=2[p][c0]',
      '[c0]crop=60:30:0:1050,scale=6:3:flags=area,scale=60:30:flags=neighbor[b0]',
      '[p][b0]overlay=0:1050[p0]',
      '[p0]format=yuv420p[v]',
    ]);
  });
});
