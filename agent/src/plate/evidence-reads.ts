import type { Plate } from '../contract/plate.ts';
import type { Box, RgbImage } from '../core/geometry.ts';
import type { Logger } from '../core/log.ts';
import { loadPlateModels } from './models.ts';
import { createPlateReader, type PlateReader } from './reader.ts';
import { defaultVoteOptions, type PlateReadText, type VoteOptions, votePlate } from './vote.ts';

/** A vehicle as the tracker sees it in one frame. */
export interface PlateCandidate {
  trackId: number;
  box: Box;
}

/** The same moment from the camera's main stream, with the scale from the offered frame's pixels to it. */
export interface FullFrame {
  image: RgbImage;
  sx: number;
  sy: number;
}

/** A camera's plate settings, given with each offer. */
export interface PlateOfferOptions {
  /** Reads kept per vehicle; default `maxReadsPerVehicle`. */
  maxReads?: number;
  /** Milliseconds between two reads of the same vehicle; default `intervalMs`. */
  intervalMs?: number;
  /**
   * The main stream's frame of the offered moment, fetched only when a read is due: plates are read there at full
   * resolution, and on the offered frame when it does not come or shows no plate.
   */
  fullFrame?: () => Promise<FullFrame | undefined>;
}

/**
 * What the agent needs of plate reading: offer a frame's parked vehicles while they dwell, and ask for the voted
 * plates when an alert is built. Reading never runs inside the caller: it is queued and bounded.
 */
export interface PlateEvidence {
  /**
   * Offers the vehicles of a frame (the caller's buffer, copied here only when a read is queued). Returns at once;
   * vehicles read recently enough, or already read `maxReadsPerVehicle` times, are left alone.
   */
  offer(camera: string, frame: RgbImage, vehicles: readonly PlateCandidate[], at: number, opts?: PlateOfferOptions): void;
  /** The voted plate of each of these tracks that has a readable one (confidence at least `minConfidence`, default the vote's). */
  consensus(camera: string, trackIds: readonly number[], minConfidence?: number): ReadonlyMap<number, Plate>;
  /** The reads of each of these tracks that has any (kept with its open event across a restart). */
  readsOf(camera: string, trackIds: readonly number[]): ReadonlyMap<number, readonly PlateReadText[]>;
  /**
   * A previous run's reads of a vehicle, for its track in this run: they vote with the new ones and count towards
   * `maxReadsPerVehicle`, so the plate is not read again from scratch. Given again, they replace what was given.
   */
  adopt(camera: string, trackId: number, reads: readonly PlateReadText[]): void;
}

export interface PlateReadStats {
  /** Vehicles looked at, plates found on them, and offers skipped because reading was behind. */
  vehicles: number;
  plates: number;
  /** Vehicles read on the main stream's frame at full resolution (the rest on the analysis frame). */
  fullResolution: number;
  skipped: number;
  /** Wall time spent reading, seconds. */
  seconds: number;
}

export interface PlateVotesOptions {
  /** Frames waiting beyond this are skipped rather than queued: plates are never worth a backlog. */
  maxPending: number;
  /** Reads kept per vehicle; once reached the vehicle is not read again. */
  maxReadsPerVehicle: number;
  /** Milliseconds between two reads of the same vehicle: frames close in time repeat the same mistakes. */
  intervalMs: number;
  /** A vehicle not offered for this long is forgotten (it left, or its track ended). */
  forgetAfterMs: number;
  vote: VoteOptions;
}

const defaults: PlateVotesOptions = {
  maxPending: 2,
  maxReadsPerVehicle: 8,
  intervalMs: 4000,
  forgetAfterMs: 10 * 60_000,
  vote: defaultVoteOptions,
};

interface VehicleReads {
  reads: PlateReadText[];
  /** Reads of the previous run, adopted after a restart. */
  adopted?: readonly PlateReadText[];
  lastTried: number;
  lastOffered: number;
}

const allReads = (v: VehicleReads | undefined): readonly PlateReadText[] => (v?.adopted ? [...v.adopted, ...v.reads] : (v?.reads ?? []));

/**
 * Collects plate reads per camera and vehicle (track id) while the vehicle dwells, and votes them. Work is queued
 * behind whatever the event loop has ready (setImmediate) and bounded, so it cannot hold up frames.
 */
export class PlateVotes implements PlateEvidence {
  private readonly vehicles = new Map<string, VehicleReads>();
  private pending = 0;
  private readonly counters: PlateReadStats = { vehicles: 0, plates: 0, fullResolution: 0, skipped: 0, seconds: 0 };
  private readonly opts: PlateVotesOptions;
  private lastSweep = 0;
  /** The latest offer's time (the offers' clock): an adopted vehicle counts as offered then. */
  private latestAt = 0;

  constructor(
    /** Shared with evidence, which finds bystanders' plates with it: one model instance, one queue. */
    readonly reader: PlateReader,
    private readonly log: Logger,
    opts: Partial<PlateVotesOptions> = {},
  ) {
    this.opts = { ...defaults, ...opts };
  }

  offer(camera: string, frame: RgbImage, vehicles: readonly PlateCandidate[], at: number, opts: PlateOfferOptions = {}): void {
    this.sweep(at);
    this.latestAt = Math.max(this.latestAt, at);
    const maxReads = opts.maxReads ?? this.opts.maxReadsPerVehicle;
    const interval = opts.intervalMs ?? this.opts.intervalMs;
    const due: PlateCandidate[] = [];
    for (const v of vehicles) {
      const key = `${camera}/${v.trackId}`;
      const known = this.vehicles.get(key) ?? { reads: [], lastTried: -Infinity, lastOffered: at };
      known.lastOffered = at;
      this.vehicles.set(key, known);
      if (allReads(known).length < maxReads && at - known.lastTried >= interval) due.push(v);
    }
    if (due.length === 0) return;
    if (this.pending >= this.opts.maxPending) {
      this.counters.skipped++;
      return;
    }
    for (const v of due) this.vehicles.get(`${camera}/${v.trackId}`)!.lastTried = at;
    const copy: RgbImage = { data: Uint8Array.from(frame.data), width: frame.width, height: frame.height };
    void this.read(camera, copy, due, opts.fullFrame);
  }

  /** Resolves when every queued read is done (for shutdown and tests). */
  async idle(): Promise<void> {
    while (this.pending > 0) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  consensus(camera: string, trackIds: readonly number[], minConfidence?: number): ReadonlyMap<number, Plate> {
    const out = new Map<number, Plate>();
    const vote = minConfidence === undefined ? this.opts.vote : { ...this.opts.vote, minConfidence };
    for (const id of trackIds) {
      const reads = allReads(this.vehicles.get(`${camera}/${id}`));
      if (reads.length === 0) continue;
      const v = votePlate(reads, vote);
      if (v.readable) out.set(id, v.plate);
    }
    return out;
  }

  readsOf(camera: string, trackIds: readonly number[]): ReadonlyMap<number, readonly PlateReadText[]> {
    const out = new Map<number, readonly PlateReadText[]>();
    for (const id of trackIds) {
      const reads = allReads(this.vehicles.get(`${camera}/${id}`));
      if (reads.length > 0) out.set(id, reads);
    }
    return out;
  }

  adopt(camera: string, trackId: number, reads: readonly PlateReadText[]): void {
    const key = `${camera}/${trackId}`;
    const known = this.vehicles.get(key) ?? { reads: [], lastTried: -Infinity, lastOffered: this.latestAt };
    known.adopted = reads;
    this.vehicles.set(key, known);
  }

  async close(): Promise<void> {
    await this.idle();
    await this.reader.close();
  }

  stats(): PlateReadStats {
    return { ...this.counters };
  }

  private async read(
    camera: string,
    frame: RgbImage,
    vehicles: readonly PlateCandidate[],
    fullFrame: PlateOfferOptions['fullFrame'],
  ): Promise<void> {
    this.pending++;
    try {
      await new Promise<void>((resolve) => setImmediate(resolve));
      const start = performance.now();
      const full = await fullFrame?.().catch((err: unknown) => {
        this.log.debug({ stage: 'plate', camera, err }, 'no main-stream frame: plates read on the analysis frame');
        return undefined;
      });
      for (const v of vehicles) {
        let found = full ? await this.reader.read(full.image, scaled(v.box, full)) : [];
        if (found.length > 0) this.counters.fullResolution++;
        else found = await this.reader.read(frame, v.box);
        this.counters.vehicles++;
        // The vehicle's plate is the detector's best; a second one in its box belongs to a neighbour.
        const best = found.sort((a, b) => b.detectionScore - a.detectionScore)[0];
        this.log.debug({ stage: 'plate', camera, trackId: v.trackId, plates: found.map((p) => p.text) }, 'plate read');
        if (!best) continue;
        this.counters.plates++;
        // A read that finishes after its vehicle was forgotten is dropped.
        this.vehicles
          .get(`${camera}/${v.trackId}`)
          ?.reads.push({ text: best.text, charProbs: best.charProbs, colour: best.colour, rows: best.rows });
      }
      this.counters.seconds += (performance.now() - start) / 1000;
    } catch (err) {
      this.log.warn({ stage: 'plate', camera, err }, 'plate read failed');
    } finally {
      this.pending--;
    }
  }

  private sweep(at: number): void {
    if (at - this.lastSweep < this.opts.forgetAfterMs / 10) return;
    this.lastSweep = at;
    for (const [key, v] of this.vehicles) if (at - v.lastOffered > this.opts.forgetAfterMs) this.vehicles.delete(key);
  }
}

function scaled(b: Box, s: { sx: number; sy: number }): Box {
  return { x1: b.x1 * s.sx, y1: b.y1 * s.sy, x2: b.x2 * s.sx, y2: b.y2 * s.sy };
}

/**
 * Plate reading for the running agent, when the plate models are provisioned and verify; otherwise undefined,
 * said once at start (the agent then runs as before, alerts without plates).
 */
export async function openPlateVotes(
  log: Logger,
  opts: Partial<PlateVotesOptions> = {},
  manifestsDir?: string,
): Promise<PlateVotes | undefined> {
  const loaded = await loadPlateModels(manifestsDir);
  if (!loaded.available) {
    log.info({ stage: 'plate', reason: loaded.reason }, 'plate reading off: plate models unavailable');
    return undefined;
  }
  return new PlateVotes(await createPlateReader(loaded.models, log), log, opts);
}
