import type { RgbImage } from '../core/geometry.ts';
import { redact } from '../core/redact.ts';
import { FfmpegError, runFfmpeg } from '../ingest/ffmpeg.ts';
import { sourceKind } from '../ingest/source-kind.ts';

export interface GrabOptions {
  rtspTransport: 'tcp' | 'udp';
  timeoutMs: number;
  /** Extra ffmpeg input options of the camera (hardware decoding …). */
  inputOptions?: readonly string[];
  /**
   * Files only (ring segments): the first frame at least this many seconds after the file's start.
   * Decoded from the start and discarded up to there: MPEG-TS input seeking can land past a
   * segment's only key frame and return nothing.
   */
  seekSeconds?: number;
}

/** ffmpeg arguments that write the stream's first decodable frame, full resolution, as one binary PPM. Pure. */
export function grabArgs(url: string, opts: GrabOptions): string[] {
  const input = ['-hide_banner', '-nostdin', '-loglevel', 'error'];
  const kind = sourceKind(url);
  const micros = String(Math.round(opts.timeoutMs * 1000));
  if (kind === 'rtsp') input.push('-rtsp_transport', opts.rtspTransport, '-timeout', micros);
  else if (kind === 'http' || kind === 'hls') input.push('-rw_timeout', micros);
  const seek = kind === 'file' && opts.seekSeconds !== undefined ? ['-ss', opts.seekSeconds.toFixed(3)] : [];
  return [
    ...input,
    ...(opts.inputOptions ?? []),
    '-i',
    url,
    ...seek,
    '-an',
    '-sn',
    '-dn',
    '-frames:v',
    '1',
    '-f',
    'image2pipe',
    '-c:v',
    'ppm',
    '-pix_fmt',
    'rgb24',
    'pipe:1',
  ];
}

/**
 * One full-resolution frame from a camera's evidence (main) stream. Costs a connection and a key
 * frame's wait (about one GOP), so it is for events, never for analysis.
 */
export async function grabFrame(url: string, opts: GrabOptions): Promise<RgbImage> {
  let ppm: Buffer;
  try {
    ppm = await runFfmpeg(grabArgs(url, opts), { timeoutMs: opts.timeoutMs + 1000 });
  } catch (err) {
    const why =
      err instanceof FfmpegError && /^no answer within/.test(err.message) ? `no frame within ${opts.timeoutMs} ms` : (err as Error).message;
    throw new Error(`evidence grab from ${redact(url)}: ${why}`);
  }
  try {
    return parsePpm(ppm);
  } catch (err) {
    throw new Error(`evidence grab from ${redact(url)}: ${(err as Error).message}`);
  }
}

/** Binary PPM (P6, maxval 255) → RGB24 image. Pure. */
export function parsePpm(buf: Buffer): RgbImage {
  const tokens: string[] = [];
  let i = 0;
  while (tokens.length < 4 && i < buf.length && i < 256) {
    while (i < buf.length && isSpace(buf[i])) i++;
    if (buf[i] === 0x23) {
      while (i < buf.length && buf[i] !== 0x0a) i++;
      continue;
    }
    const start = i;
    while (i < buf.length && !isSpace(buf[i])) i++;
    tokens.push(buf.toString('latin1', start, i));
  }
  const [magic, w, h, max] = tokens;
  const width = Number(w);
  const height = Number(h);
  if (magic !== 'P6' || !(width > 0) || !(height > 0) || max !== '255') {
    throw new Error(
      `expected a binary PPM (P6, 8 bit) frame from ffmpeg, got ${buf.length} bytes starting "${buf.toString('latin1', 0, 16).replace(/\s+/g, ' ')}"`,
    );
  }
  const offset = i + 1;
  const length = width * height * 3;
  if (buf.length < offset + length)
    throw new Error(`truncated frame from ffmpeg: expected ${length} pixel bytes for ${width}×${height}, got ${buf.length - offset}`);
  return { data: new Uint8Array(buf.buffer, buf.byteOffset + offset, length), width, height };
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}
