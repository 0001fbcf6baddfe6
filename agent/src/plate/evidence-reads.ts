import type { Box, RgbImage } from '../core/geometry.ts';
import type { Logger } from '../core/log.ts';
import { loadPlateModels } from './models.ts';
import { createPlateReader, type PlateReader } from './reader.ts';
import type { Plate } from './schema.ts';
import { votePlate, type PlateReadText, type VoteOptions, defaultVoteOptions } from './vote.ts';

/** What the event sink needs of plate reading: offer an evidence frame, get the consensus so far. */
export interface PlateEvidence {
  /**
   * Reads the plates of an event's vehicles on one of its evidence frames (a copy the caller no longer touches).
   * Resolves when the read is done or was skipped; never rejects.
   */
  observe(eventId: string, camera: string, frame: RgbImage, vehicles: readonly { trackId: number; box: Box }[]): Promise<void>;
  /** The voted plate of each vehicle of the event that has a readable one. */
  consensus(eventId: string): ReadonlyMap<number, Plate>;
  forget(eventId: string): void;
}

export interface PlateReadStats {
  /** Vehicles looked at, plates found on them, and frames skipped because reading was behind. */
  vehicles: number;
  plates: number;
  skipped: number;
  /** Wall time spent reading, seconds. */
  seconds: number;
}

export interface PlateVotesOptions {
  /** Evidence frames waiting beyond this are skipped rather than queued: plates are never worth a backlog. */
  maxPending: number;
  /** Reads kept per vehicle; the oldest go first. */
  maxReadsPerVehicle: number;
  vote: VoteOptions;
}

const defaults: PlateVotesOptions = { maxPending: 2, maxReadsPerVehicle: 10, vote: defaultVoteOptions };

/**
 * Collects plate reads per event and vehicle (track id) over the event's evidence frames and votes them. Work is
 * queued behind whatever the event loop has ready (setImmediate) and bounded, so it cannot hold up frames.
 */
export class PlateVotes implements PlateEvidence {
  private readonly reads = new Map<string, Map<number, PlateReadText[]>>();
  private pending = 0;
  private readonly counters: PlateReadStats = { vehicles: 0, plates: 0, skipped: 0, seconds: 0 };
  private readonly opts: PlateVotesOptions;

  constructor(
    private readonly reader: PlateReader,
    private readonly log: Logger,
    opts: Partial<PlateVotesOptions> = {},
  ) {
    this.opts = { ...defaults, ...opts };
  }

  async observe(eventId: string, camera: string, frame: RgbImage, vehicles: readonly { trackId: number; box: Box }[]): Promise<void> {
    if (vehicles.length === 0) return;
    if (this.pending >= this.opts.maxPending) {
      this.counters.skipped++;
      return;
    }
    this.pending++;
    if (!this.reads.has(eventId)) this.reads.set(eventId, new Map());
    try {
      await new Promise<void>((resolve) => setImmediate(resolve));
      const start = performance.now();
      for (const v of vehicles) {
        const found = await this.reader.read(frame, v.box);
        this.counters.vehicles++;
        // The vehicle's plate is the detector's best; a second one in its box belongs to a neighbour.
        const best = found.sort((a, b) => b.detectionScore - a.detectionScore)[0];
        this.log.debug({ stage: 'plate', camera, eventId, trackId: v.trackId, box: v.box, plates: found.map((p) => p.text) }, 'plate read');
        if (!best) continue;
        this.counters.plates++;
        this.add(eventId, v.trackId, { text: best.text, charProbs: best.charProbs, colour: best.colour, rows: best.rows });
      }
      this.counters.seconds += (performance.now() - start) / 1000;
    } catch (err) {
      this.log.warn({ stage: 'plate', camera, eventId, err: (err as Error).message }, 'plate read failed');
    } finally {
      this.pending--;
    }
  }

  consensus(eventId: string): ReadonlyMap<number, Plate> {
    const out = new Map<number, Plate>();
    for (const [trackId, reads] of this.reads.get(eventId) ?? []) {
      const v = votePlate(reads, this.opts.vote);
      if (v.readable) out.set(trackId, v.plate);
    }
    return out;
  }

  forget(eventId: string): void {
    this.reads.delete(eventId);
  }

  async close(): Promise<void> {
    await this.reader.close();
  }

  stats(): PlateReadStats {
    return { ...this.counters };
  }

  private add(eventId: string, trackId: number, read: PlateReadText): void {
    // A read that finishes after its event was forgotten is dropped.
    const byTrack = this.reads.get(eventId);
    if (!byTrack) return;
    const list = byTrack.get(trackId) ?? [];
    list.push(read);
    if (list.length > this.opts.maxReadsPerVehicle) list.shift();
    byTrack.set(trackId, list);
  }
}

/**
 * Plate reading for the running agent, when the plate models are provisioned and verify; otherwise undefined,
 * said once at start (the agent then runs as before, alerts without plates).
 */
export async function openPlateVotes(log: Logger, opts: Partial<PlateVotesOptions> = {}): Promise<PlateVotes | undefined> {
  const loaded = await loadPlateModels();
  if (!loaded.available) {
    log.info({ stage: 'plate', reason: loaded.reason }, 'plate reading off: plate models unavailable');
    return undefined;
  }
  return new PlateVotes(await createPlateReader(loaded.models, log), log, opts);
}
