import { describe, expect, it } from 'vitest';
import { frameScale, scaleBox } from '../../../agent/src/evidence/geometry.ts';
import { grabArgs, parsePpm } from '../../../agent/src/evidence/grab.ts';

describe('analysis → evidence coordinates', () => {
  it('scales each axis for a stretched analysis frame (same view, any aspect: 704×576 sub stream to 1920×1080)', () => {
    const s = frameScale({ width: 704, height: 576 }, { width: 1920, height: 1080 });
    const b = scaleBox({ x1: 352, y1: 288, x2: 704, y2: 576 }, s);
    [b.x1, b.y1, b.x2, b.y2].forEach((v, i) => expect(v).toBeCloseTo([960, 540, 1920, 1080][i], 9));
  });

  it('uses one factor for a letterboxed analysis frame (picture top-left, padded)', () => {
    // 1920×1080 letterboxed into 640×640 fills the width: 640×360 of picture, 280 rows of padding.
    const s = frameScale({ width: 640, height: 640, resize: 'letterbox' }, { width: 1920, height: 1080 });
    expect(s).toEqual({ sx: 3, sy: 3 });
    expect(scaleBox({ x1: 0, y1: 0, x2: 640, y2: 360 }, s)).toEqual({ x1: 0, y1: 0, x2: 1920, y2: 1080 });
  });
});

describe('PPM frames from ffmpeg', () => {
  it('parses a P6 header with a comment', () => {
    const px = Buffer.from([1, 2, 3, 4, 5, 6]);
    const img = parsePpm(Buffer.concat([Buffer.from('P6\n# ffmpeg\n2 1\n255\n'), px]));
    expect([img.width, img.height, Array.from(img.data)]).toEqual([2, 1, [1, 2, 3, 4, 5, 6]]);
  });

  it('names what is wrong with a bad or short frame', () => {
    expect(() => parsePpm(Buffer.from('P5\n2 1\n255\n..'))).toThrow(/expected a binary PPM \(P6, 8 bit\)/);
    expect(() => parsePpm(Buffer.from('P6\n2 2\n255\nabc'))).toThrow(/truncated frame from ffmpeg: expected 12 pixel bytes for 2×2, got 3/);
  });

  it('asks ffmpeg for one frame with the camera transport and timeout', () => {
    const a = grabArgs('rtsp://u:p@cam/main', { rtspTransport: 'udp', timeoutMs: 5000, inputOptions: ['-hwaccel', 'rkmpp'] });
    expect(a.join(' ')).toContain('-rtsp_transport udp -timeout 5000000 -hwaccel rkmpp -i rtsp://u:p@cam/main');
    expect(a.join(' ')).toContain('-frames:v 1 -f image2pipe -c:v ppm');
  });
});
