import sharp from 'sharp';
import type { Box, Point, RgbImage } from '../core/geometry.ts';
import { sha256Hex } from '../core/hash.ts';
import { type FrameGeometry, frameScale } from './geometry.ts';

/** One object of the event, in analysis-frame pixels. */
export interface AnnotatedObject {
  box: Box;
  label: string;
  score: number;
  trackId?: number;
  /** The vehicle's plate text, printed after its label. */
  plate?: string;
}

export interface SnapshotAnnotations {
  objects: readonly AnnotatedObject[];
  /** The zone that decided the event, in analysis-frame pixels; an empty polygon for a zone of lines only. */
  zone?: { name: string; polygon: readonly Point[] };
  /** The crossing line of a `line_crossing` event, analysis-frame pixels, with the direction that is counted. */
  line?: CrossingLine;
  /** Camera name or id, printed in the header. */
  camera: string;
  /** When the frame was captured (ms since the epoch), printed in the site's local time. */
  at: number;
}

export interface CrossingLine {
  points: readonly [Point, Point];
  direction: 'any' | 'left_to_right' | 'right_to_left';
}

export interface SnapshotOptions {
  /** The analysis frame the boxes and zone are given in; the image may be larger (evidence stream). */
  frame: FrameGeometry;
  /** IANA time zone of the site, e.g. "Asia/Shanghai". */
  timezone: string;
  quality: number;
}

export interface Snapshot {
  jpeg: Buffer;
  sha256: string;
  width: number;
  height: number;
}

export interface Thumbnail {
  mime: 'image/jpeg';
  base64: string;
  width: number;
  height: number;
}

export const BOX_COLOR = '#ff2a2a';
export const ZONE_COLOR = '#ffd400';
export const LINE_COLOR = '#00e5ff';
/** Chinese camera and zone names need a CJK font; Debian ships Droid Sans Fallback, Noto CJK is preferred when installed. */
const FONTS = "'Noto Sans CJK SC', 'Droid Sans Fallback', 'DejaVu Sans', sans-serif";

/**
 * Draws the event's boxes (label, track id, score), its zone and a header with the camera and local
 * time over `image`, and encodes a JPEG. The image must already be privacy-masked.
 */
export async function renderSnapshot(image: RgbImage, annotations: SnapshotAnnotations, opts: SnapshotOptions): Promise<Snapshot> {
  const { width, height } = image;
  if (image.data.length !== width * height * 3) {
    throw new Error(`snapshot: expected an RGB24 image of ${width}×${height}×3 bytes, got ${image.data.length}`);
  }
  if (!(opts.frame.width > 0 && opts.frame.height > 0)) {
    throw new Error(`snapshot: expected a positive analysis frame size, got ${opts.frame.width}×${opts.frame.height}`);
  }
  const { sx, sy } = frameScale(opts.frame, image);
  const svg = overlaySvg(width, height, annotations, sx, sy, opts.timezone);
  const jpeg = await sharp(image.data, { raw: { width, height, channels: 3 } })
    .composite([{ input: Buffer.from(svg), top: 0, left: 0 }])
    .jpeg({ quality: opts.quality })
    .toBuffer();
  return { jpeg, sha256: sha256Hex(jpeg), width, height };
}

/** A small JPEG for inline use in the alert: longest side ≤ `maxSide`, quality then size lowered until ≤ `maxBytes`. */
export async function thumbnail(jpeg: Buffer, opts: { maxSide: number; maxBytes: number }): Promise<Thumbnail> {
  const qualities = [70, 55, 40, 30];
  for (let side = opts.maxSide; side >= 16; side = Math.floor(side * 0.8)) {
    for (const quality of qualities) {
      const { data, info } = await sharp(jpeg)
        .resize({ width: side, height: side, fit: 'inside', withoutEnlargement: true })
        .jpeg({ quality })
        .toBuffer({ resolveWithObject: true });
      if (data.length <= opts.maxBytes)
        return { mime: 'image/jpeg', base64: data.toString('base64'), width: info.width, height: info.height };
    }
  }
  throw new Error(`thumbnail: cannot fit the image into ${opts.maxBytes} bytes even at 16 pixels`);
}

/** "2024-05-01 14:03:22 +08:00" in the given time zone. */
export function localTimeLabel(ms: number, timezone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    })
      .formatToParts(ms)
      .map((p) => [p.type, p.value]),
  );
  const offset = parts.timeZoneName === 'GMT' ? '+00:00' : parts.timeZoneName.replace('GMT', '');
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second} ${offset}`;
}

function overlaySvg(width: number, height: number, a: SnapshotAnnotations, sx: number, sy: number, timezone: string): string {
  const stroke = Math.max(2, Math.round(Math.min(width, height) / 240));
  const font = Math.max(12, Math.round(Math.min(width, height) / 30));
  const parts: string[] = [];
  if (a.zone && a.zone.polygon.length >= 3) {
    const pts = a.zone.polygon.map(([x, y]) => `${r(x * sx)},${r(y * sy)}`).join(' ');
    parts.push(`<polygon points="${pts}" fill="${ZONE_COLOR}" fill-opacity="0.12" stroke="${ZONE_COLOR}" stroke-width="${stroke}"/>`);
  }
  if (a.line) parts.push(...lineSvg(a.line, sx, sy, stroke));
  for (const o of a.objects) {
    const x = o.box.x1 * sx;
    const y = o.box.y1 * sy;
    const w = (o.box.x2 - o.box.x1) * sx;
    const h = (o.box.y2 - o.box.y1) * sy;
    parts.push(
      `<rect x="${r(x)}" y="${r(y)}" width="${r(w)}" height="${r(h)}" fill="none" stroke="${BOX_COLOR}" stroke-width="${stroke}"/>`,
    );
    const text = `${o.label}${o.trackId === undefined ? '' : ` #${o.trackId}`} ${o.score.toFixed(2)}${o.plate ? ` ${o.plate}` : ''}`;
    const labelH = Math.round(font * 1.3);
    // Above the box when there is room, else just inside its top edge.
    const ly = y - labelH >= 0 ? y - labelH : y;
    parts.push(
      `<rect x="${r(x)}" y="${r(ly)}" width="${r(textWidth(text, font))}" height="${labelH}" fill="${BOX_COLOR}"/>`,
      `<text x="${r(x + font * 0.25)}" y="${r(ly + font)}" font-family="${FONTS}" font-size="${font}" fill="#ffffff">${xml(text)}</text>`,
    );
  }
  const header = `${a.zone ? `${a.camera} · ${a.zone.name}` : a.camera}  ${localTimeLabel(a.at, timezone)}`;
  const headerH = Math.round(font * 1.5);
  parts.push(
    `<rect x="0" y="${height - headerH}" width="${r(Math.min(width, textWidth(header, font)))}" height="${headerH}" fill="#000000" fill-opacity="0.6"/>`,
    `<text x="${r(font * 0.3)}" y="${r(height - font * 0.4)}" font-family="${FONTS}" font-size="${font}" fill="#ffffff">${xml(header)}</text>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join('')}</svg>`;
}

/**
 * The line, and at its middle an arrow across it for each counted direction. "Left to right" is as seen walking
 * from the line's first point to its second: towards its right-hand normal, (-dy, dx) in image coordinates (y down).
 */
function lineSvg(line: CrossingLine, sx: number, sy: number, stroke: number): string[] {
  const [[ax, ay], [bx, by]] = line.points.map(([x, y]) => [x * sx, y * sy]);
  const len = Math.hypot(bx - ax, by - ay);
  const [ux, uy] = [(bx - ax) / len, (by - ay) / len];
  const [nx, ny] = [-uy, ux];
  const [mx, my] = [(ax + bx) / 2, (ay + by) / 2];
  const size = Math.max(stroke * 8, len * 0.12);
  const arrow = (sign: 1 | -1) => {
    const [tx, ty] = [mx + sign * nx * size, my + sign * ny * size];
    const head = size * 0.4;
    const wing = (side: 1 | -1) =>
      `${r(tx - sign * nx * head + side * ux * head * 0.6)},${r(ty - sign * ny * head + side * uy * head * 0.6)}`;
    return [
      `<line x1="${r(mx)}" y1="${r(my)}" x2="${r(tx)}" y2="${r(ty)}" stroke="${LINE_COLOR}" stroke-width="${stroke}"/>`,
      `<polygon points="${r(tx)},${r(ty)} ${wing(1)} ${wing(-1)}" fill="${LINE_COLOR}"/>`,
    ];
  };
  return [
    `<line x1="${r(ax)}" y1="${r(ay)}" x2="${r(bx)}" y2="${r(by)}" stroke="${LINE_COLOR}" stroke-width="${stroke * 1.5}"/>`,
    ...(line.direction !== 'right_to_left' ? arrow(1) : []),
    ...(line.direction !== 'left_to_right' ? arrow(-1) : []),
  ];
}

/** Generous width estimate for a background plate: CJK glyphs are about one em wide, Latin about 0.62. */
function textWidth(text: string, font: number): number {
  let ems = 0.6;
  for (const ch of text) ems += ch.codePointAt(0)! > 0x2e80 ? 1 : 0.62;
  return ems * font;
}

function r(v: number): string {
  return (Math.round(v * 10) / 10).toString();
}

function xml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}
