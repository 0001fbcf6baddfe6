import { describe, expect, it } from 'vitest';
import { FfmpegLogParser, isFrameChatter, reasonFromStderr } from '../../../agent/src/ingest/stderr.ts';

const quick = { elapsedMs: 200, timeoutMs: 10_000 };

describe('reasonFromStderr', () => {
  // Lines as ffmpeg 5.1 wrote them against the GStreamer RTSP server, closed ports, files and bad options.
  it.each([
    [
      [
        '[rtsp @ 0x55f7] method DESCRIBE failed: 401 Unauthorized',
        'rtsp://u:pw@cam/x: Server returned 401 Unauthorized (authorization failed)',
      ],
      /^unauthorised \(401\)/,
    ],
    [
      ['[rtsp @ 0x55f7] method DESCRIBE failed: 404 Not Found', 'rtsp://u:secret@127.0.0.1:18554/nope: Server returned 404 Not Found'],
      /^stream not found \(404\)/,
    ],
    [['[tcp @ 0x55d8] Connection to tcp://127.0.0.1:1?timeout=5000000 failed: Connection refused'], /^connection refused/],
    [['rtsp://127.0.0.1:18554/cam: Connection timed out'], /^timed out/],
    [
      ['[tcp @ 0x5569] Failed to resolve hostname cam.invalid: Name or service not known', 'http://cam.invalid/x.mjpg: Input/output error'],
      /^host name not found: cam\.invalid$/,
    ],
    [['/nonexistent.mp4: No such file or directory'], /^file not found$/],
    [['Unrecognized hwaccel: rkmpp.', 'Supported hwaccels: vdpau cuda vaapi'], /hardware decoder "rkmpp" is not available/],
    [["Unknown decoder 'h264_rkmpp'"], /decoder "h264_rkmpp" is not available/],
    [['Decoder (codec av1) not found for input stream #0:0'], /^codec unsupported: av1/],
    [['Cannot determine format of input stream 0:0 after EOF'], /^codec unsupported/],
    [['[mov,mp4,m4a,3gp,3g2,mj2 @ 0x55] moov atom not found', 'junk.mp4: Invalid data found when processing input'], /^invalid data/],
    [['http://cam/x: Server returned 5XX Server Error reply'], /^server answered/],
    // The ring's recorder refusing a B-frame stream's first packet: an output failure, not unreadable input.
    [
      [
        '[mpegts @ 0x5572d480f380] first pts and dts value must be set',
        'av_interleaved_write_frame(): Invalid data found when processing input',
      ],
      /^recording failed: a packet without timestamps/,
    ],
    [['av_interleaved_write_frame(): No space left on device'], /^recording failed: No space left on device$/],
  ])('explains %j', (lines, expected) => {
    expect(reasonFromStderr(lines, quick)).toMatch(expected);
  });

  it('calls an RTSP handshake that ran into the socket timeout "timed out", not bad data', () => {
    const lines = ['rtsp://127.0.0.1:18554/cam: Invalid data found when processing input'];
    expect(reasonFromStderr(lines, { elapsedMs: 3200, timeoutMs: 3000 })).toMatch(/^timed out/);
  });

  it('returns undefined when stderr holds no failure', () => {
    expect(reasonFromStderr(["Input #0, rtsp, from 'rtsp://127.0.0.1/cam':", '  Duration: N/A'], quick)).toBeUndefined();
  });

  it('never repeats a password that appears in the line it quotes', () => {
    const r = reasonFromStderr(['[rtsp @ 0x1] method SETUP failed: 454 Session Not Found rtsp://admin:pw@cam/x'], quick);
    expect(r).toBe('server answered 454 Session Not Found rtsp://admin:***@cam/x');
  });
});

describe('FfmpegLogParser', () => {
  it('reads the size of the raw video ffmpeg writes, not of the input', () => {
    const p = new FfmpegLogParser();
    [
      "Input #0, rtsp, from 'rtsp://127.0.0.1:18554/cam':",
      '  Stream #0:0: Video: h264 (Baseline), yuv420p(tv, smpte170m, progressive), 768x432, 12.50 fps, 12.50 tbr, 90k tbn',
      "Output #0, rawvideo, to 'pipe:':",
      '  Stream #0:0: Video: rawvideo, 1 reference frame (RGB[24] / 0x18424752), rgb24(pc, gbr/smpte170m/smpte170m, progressive, left), 320x180 (0x0), q=2-31, 6912 kb/s, 5 fps, 5 tbn',
    ].forEach((l) => p.line(l));
    expect(p.output).toEqual({ width: 320, height: 180 });
  });

  it('knows no output size before the output stream line', () => {
    const p = new FfmpegLogParser();
    p.line('  Stream #0:0: Video: rawvideo (RGB[24] / 0x18424752), rgb24, 320x180');
    expect(p.output).toBeUndefined();
  });

  it('reports a camera that changes resolution mid-stream (lines from ffmpeg 5.1 -loglevel verbose)', () => {
    const p = new FfmpegLogParser();
    expect(
      p.line('[graph 0 input from stream 0:0 @ 0x55f4330dd480] w:320 h:240 pixfmt:yuv444p tb:1/90000 fr:10/1 sar:1/1'),
    ).toBeUndefined();
    expect(
      p.line('[graph 0 input from stream 0:0 @ 0x55f4330dd480] w:320 h:240 pixfmt:yuv444p tb:1/90000 fr:10/1 sar:1/1'),
    ).toBeUndefined();
    expect(p.line('[graph 0 input from stream 0:0 @ 0x55f433415d00] w:640 h:360 pixfmt:yuv444p tb:1/90000 fr:10/1 sar:1/1')).toEqual({
      from: { width: 320, height: 240 },
      to: { width: 640, height: 360 },
    });
    expect(p.input).toEqual({ width: 640, height: 360 });
  });

  it('tells per-frame chatter from lines that may explain a failure', () => {
    expect(isFrameChatter('*** dropping frame 6 from stream 0 at ts 5')).toBe(true);
    expect(isFrameChatter('rtsp://127.0.0.1/cam: Connection timed out')).toBe(false);
  });
});
