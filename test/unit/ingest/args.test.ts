import { describe, expect, it } from 'vitest';
import { buildFfmpegArgs, type FfmpegSourceConfig, toArgv } from '../../../agent/src/ingest/args.ts';
import { sourceKind } from '../../../agent/src/ingest/source-kind.ts';

const base: FfmpegSourceConfig = {
  url: 'rtsp://admin:pw@10.0.0.7:554/Streaming/Channels/102',
  rtspTransport: 'tcp',
  loop: true,
  analysis: { fps: 5, width: 640, height: 360, resize: 'stretch' },
  inputOptions: [],
  keyframesOnly: false,
  timeoutSeconds: 10,
};

/** The value following `flag`, or undefined when the flag is absent. */
function after(args: string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i < 0 ? undefined : args[i + 1];
}

describe('buildFfmpegArgs', () => {
  it('reads RTSP over TCP by default with a socket timeout in microseconds and low-latency flags', () => {
    const a = buildFfmpegArgs(base);
    expect(a.input).toBe(base.url);
    expect(after(a.inputOptions, '-rtsp_transport')).toBe('tcp');
    expect(after(a.inputOptions, '-timeout')).toBe('10000000');
    expect(after(a.inputOptions, '-analyzeduration')).toBe('500000');
    expect(after(a.inputOptions, '-flags')).toBe('low_delay');
    expect(a.inputOptions).not.toContain('-re');
  });

  it('uses UDP when configured', () => {
    expect(after(buildFfmpegArgs({ ...base, rtspTransport: 'udp' }).inputOptions, '-rtsp_transport')).toBe('udp');
  });

  it('reads rtsps:// over TCP and refuses UDP for it', () => {
    expect(after(buildFfmpegArgs({ ...base, url: 'rtsps://cam/live' }).inputOptions, '-rtsp_transport')).toBe('tcp');
    expect(() => buildFfmpegArgs({ ...base, url: 'rtsps://cam/live', rtspTransport: 'udp' })).toThrow(
      'rtsps:// runs over TLS, which needs TCP: set rtspTransport to "tcp" (or drop it) for this camera',
    );
  });

  it('writes exact-size RGB24 raw frames to stdout, capped at the analysis rate without duplicates', () => {
    const argv = toArgv(buildFfmpegArgs(base));
    // Frames beyond the rate are dropped before the (costly) scaling: one per 1/fps slot, never duplicated.
    expect(after(argv, '-vf')).toBe("select='isnan(prev_selected_t)+gt(floor(t*5),floor(prev_selected_t*5))',scale=640:360:flags=bilinear");
    expect(after(argv, '-fps_mode')).toBe('vfr');
    // ffmpeg 7 refuses -r beside a non-constant fps_mode: the select filter alone caps the rate.
    expect(argv).not.toContain('-r');
    expect(after(argv, '-f')).toBe('rawvideo');
    expect(after(argv, '-pix_fmt')).toBe('rgb24');
    expect(argv.at(-1)).toBe('pipe:1');
    expect(argv.indexOf('-i')).toBeLessThan(argv.indexOf('-vf'));
  });

  it('letterboxes into the analysis size keeping the aspect ratio, image top-left', () => {
    const a = buildFfmpegArgs({ ...base, analysis: { fps: 2, width: 416, height: 416, resize: 'letterbox' } });
    expect(after(a.outputOptions, '-vf')).toBe(
      "select='isnan(prev_selected_t)+gt(floor(t*2),floor(prev_selected_t*2))',scale=416:416:force_original_aspect_ratio=decrease:flags=bilinear,pad=416:416:0:0:black",
    );
  });

  it('paces files in real time and loops them when asked', () => {
    const looped = buildFfmpegArgs({ ...base, url: '/data/clip.mp4' }).inputOptions;
    expect(looped).toContain('-re');
    expect(after(looped, '-stream_loop')).toBe('-1');
    const once = buildFfmpegArgs({ ...base, url: '/data/clip.mp4', loop: false }).inputOptions;
    expect(once).toContain('-re');
    expect(once).not.toContain('-stream_loop');
  });

  it('repeats a still image at the analysis rate', () => {
    const a = buildFfmpegArgs({ ...base, url: 'samples/street.png', analysis: { ...base.analysis, fps: 2 } }).inputOptions;
    expect(after(a, '-loop')).toBe('1');
    expect(after(a, '-framerate')).toBe('2');
    expect(a).toContain('-re');
  });

  it('passes hardware-decoder options through before the input, and decodes key frames only when asked', () => {
    const argv = toArgv(buildFfmpegArgs({ ...base, inputOptions: ['-hwaccel', 'rkmpp'], keyframesOnly: true }));
    expect(after(argv, '-hwaccel')).toBe('rkmpp');
    expect(after(argv, '-skip_frame')).toBe('nokey');
    expect(argv.indexOf('-hwaccel')).toBeLessThan(argv.indexOf('-i'));
    expect(argv.indexOf('-skip_frame')).toBeLessThan(argv.indexOf('-i'));
  });

  it('uses a read timeout for HTTP (MJPEG) and HLS', () => {
    expect(after(buildFfmpegArgs({ ...base, url: 'http://cam/video.mjpg' }).inputOptions, '-rw_timeout')).toBe('10000000');
    expect(after(buildFfmpegArgs({ ...base, url: 'https://nvr/hls/1/index.m3u8', timeoutSeconds: 2.5 }).inputOptions, '-rw_timeout')).toBe(
      '2500000',
    );
  });
});

describe('sourceKind', () => {
  it.each([
    ['rtsp://cam/live', 'rtsp'],
    ['RTSPS://cam/live', 'rtsp'],
    ['http://cam/video.mjpg', 'http'],
    ['https://nvr/live/index.m3u8?token=x', 'hls'],
    ['/var/clips/a.mp4', 'file'],
    ['file:///var/clips/a.mkv', 'file'],
    ['samples/street.PNG', 'image'],
    ['b.jpeg', 'image'],
  ])('%s is %s', (url, kind) => expect(sourceKind(url)).toBe(kind));

  it('names the unsupported scheme and the accepted ones', () => {
    expect(() => sourceKind('rtmp://cam/live')).toThrow(
      'unsupported stream URL scheme "rtmp://": expected rtsp://, rtsps://, http(s):// or a file path',
    );
  });
});
