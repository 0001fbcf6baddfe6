import type { Point } from '../../core/geometry.ts';
import { h } from '../../web/client/dom.ts';

/**
 * The camera's latest analysed frame with a canvas on top in the frame's own pixels (the analysis size), so every
 * overlay and every click is in the same coordinates as the config's `units: pixels`.
 */
export class Stage {
  readonly el: HTMLDivElement;
  readonly canvas: HTMLCanvasElement;
  readonly ctx: CanvasRenderingContext2D;
  private readonly img: HTMLImageElement;
  private shownSeq: number | null = null;

  constructor(
    private readonly camera: string,
    readonly width: number,
    readonly height: number,
  ) {
    this.img = h('img', { alt: '', class: 'frame', width, height });
    this.canvas = h('canvas', { class: 'overlay', width, height });
    this.el = h('div', { class: 'stage' }, this.img, this.canvas);
    this.el.style.aspectRatio = `${width} / ${height}`;
    this.ctx = this.canvas.getContext('2d')!;
  }

  /** Shows frame `seq` once it is new (the server keeps about one a second while someone watches). */
  showFrame(seq: number | null): void {
    if (seq === null || seq === this.shownSeq) return;
    this.shownSeq = seq;
    // Decoded off-screen first: swapping `src` directly blanks the picture until the next frame arrives.
    const next = new Image();
    next.src = `/api/cameras/${encodeURIComponent(this.camera)}/frame.jpg?seq=${seq}`;
    next
      .decode()
      .then(() => {
        if (this.shownSeq === seq) this.img.src = next.src;
      })
      .catch(() => undefined);
  }

  /** Frame pixels of a mouse event. */
  toFrame(ev: MouseEvent): Point {
    const r = this.canvas.getBoundingClientRect();
    return [((ev.clientX - r.left) / r.width) * this.width, ((ev.clientY - r.top) / r.height) * this.height];
  }

  /** Frame pixels per screen pixel, for hit distances and line widths that look the same at any size. */
  scale(): number {
    const r = this.canvas.getBoundingClientRect();
    return r.width > 0 ? this.width / r.width : 1;
  }
}

export function polygonPath(ctx: CanvasRenderingContext2D, pts: readonly Point[], close = true): void {
  ctx.beginPath();
  pts.forEach(([x, y], i) => (i === 0 ? ctx.moveTo(x, y) : ctx.lineTo(x, y)));
  if (close && pts.length > 2) ctx.closePath();
}

export function label(ctx: CanvasRenderingContext2D, text: string, x: number, y: number, colour: string, s: number): void {
  ctx.font = `${Math.round(13 * s)}px system-ui, sans-serif`;
  const w = ctx.measureText(text).width + 6 * s;
  const hgt = 17 * s;
  const top = Math.max(0, y - hgt);
  ctx.fillStyle = colour;
  ctx.fillRect(x, top, w, hgt);
  ctx.fillStyle = '#fff';
  ctx.fillText(text, x + 3 * s, top + 13 * s);
}
