import type { Box, Point, RgbImage } from '../core/geometry.ts';
import { BackgroundModel, Blobs, dilate } from './background.ts';
import { type MotionConfig, motionConfigSchema } from './config.ts';
import { LumaGrid } from './grid.ts';

/** What one frame showed. Valid until the next `update`: copy what must outlive it. */
export interface MotionResult {
  /** Motion blobs in analysis-frame pixels. */
  boxes: Box[];
  /** Fraction of the analysed (unmasked) picture that changed, before dilation. */
  areaFraction: number;
  /** The background is being (re)learnt: nothing is reported, the whole frame should be looked at. */
  calibrating: boolean;
  /** This frame started a recalibration after a lighting change (not the first frame's calibration). */
  recalibrated: boolean;
}

/** Cumulative counts, for health and metrics. */
export interface MotionCounters {
  frames: number;
  recalibrations: number;
}

/**
 * One camera's motion detector on the analysis frame: luma grid (masked, contrast normalised) against a running
 * average background; cells beyond the threshold, dilated, grouped into blobs. A lighting change (too much of the
 * picture changing at once, or the mean luma jumping) relearns the background instead of reporting motion
 * everywhere. Every buffer is allocated in the constructor.
 */
export class MotionDetector {
  readonly grid: LumaGrid;
  readonly background: BackgroundModel;
  readonly counters: MotionCounters = { frames: 0, recalibrations: 0 };
  private readonly cfg: MotionConfig;
  private readonly fg: Uint8Array;
  private readonly grown: Uint8Array;
  private readonly tmp: Uint8Array;
  private readonly columns: Uint16Array;
  private readonly blobs: Blobs;
  private calibrationLeft: number;
  private backgroundMean = 0;

  constructor(frameWidth: number, frameHeight: number, masks: readonly (readonly Point[])[] = [], options: Partial<MotionConfig> = {}) {
    this.cfg = motionConfigSchema.parse(options);
    this.grid = new LumaGrid(frameWidth, frameHeight, this.cfg.height, masks);
    const n = this.grid.cells;
    this.background = new BackgroundModel(n, this.cfg.learningRate);
    this.fg = new Uint8Array(n);
    this.grown = new Uint8Array(n);
    this.tmp = new Uint8Array(n);
    this.columns = new Uint16Array(this.grid.width);
    this.blobs = new Blobs(this.grid.width, this.grid.height);
    this.calibrationLeft = this.cfg.calibrationFrames;
  }

  /** The cells that moved in the last frame (after dilation), grid-sized, 1 = moving. */
  get mask(): Uint8Array {
    return this.grown;
  }

  update(image: RgbImage): MotionResult {
    const { grid, background, cfg } = this;
    grid.load(image);
    this.counters.frames++;
    if (!background.ready) {
      background.reset(grid.luma);
      this.backgroundMean = grid.rawMean;
      this.calibrationLeft = cfg.calibrationFrames - 1;
      return this.quiet(true, false);
    }
    if (this.calibrationLeft > 0) {
      this.calibrationLeft--;
      // Fast learning while calibrating: half-way towards each new picture.
      background.learn(grid.luma, grid.active, 0.5);
      this.backgroundMean += 0.5 * (grid.rawMean - this.backgroundMean);
      return this.quiet(true, false);
    }
    const changed = background.foreground(grid.luma, cfg.threshold, this.fg, grid.active);
    const fraction = grid.activeCells > 0 ? changed / grid.activeCells : 0;
    if (fraction > cfg.lightingFraction || Math.abs(grid.rawMean - this.backgroundMean) > cfg.lightingMeanShift) {
      this.counters.recalibrations++;
      grid.resetStretch();
      grid.load(image);
      background.reset(grid.luma);
      this.backgroundMean = grid.rawMean;
      this.calibrationLeft = cfg.calibrationFrames - 1;
      return this.quiet(true, true);
    }
    background.learn(grid.luma, grid.active);
    this.backgroundMean += cfg.learningRate * (grid.rawMean - this.backgroundMean);
    dilate(this.fg, grid.width, grid.height, cfg.dilation, this.grown, this.tmp, this.columns);
    const n = this.blobs.find(this.grown, cfg.minArea, this.fg);
    const cw = grid.cellWidth;
    const ch = grid.cellHeight;
    const boxes: Box[] = [];
    for (let i = 0; i < n; i++) boxes.push(this.blobs.box(i, cw, ch));
    return { boxes, areaFraction: fraction, calibrating: false, recalibrated: false };
  }

  private quiet(calibrating: boolean, recalibrated: boolean): MotionResult {
    this.grown.fill(0);
    return { boxes: [], areaFraction: 0, calibrating, recalibrated };
  }
}
