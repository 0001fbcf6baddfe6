import type { Registry } from 'prom-client';
import { scrapedCounter, single } from '../core/metrics.ts';
import type { PlateReadStats } from './evidence-reads.ts';

/** Plate reading's cost and yield as Prometheus counters, read at scrape time. */
export function registerPlateMetrics(registry: Registry, stats: () => PlateReadStats): void {
  const counter = (name: string, help: string, value: (s: PlateReadStats) => number) =>
    scrapedCounter(registry, { name, help }, () => single(value(stats())));
  counter('jifang_plate_vehicles_total', 'Vehicles of events whose evidence frames were searched for a plate', (s) => s.vehicles);
  counter('jifang_plate_found_total', 'Plates found on those vehicles (read or not)', (s) => s.plates);
  counter(
    'jifang_plate_full_resolution_total',
    "Vehicles whose plate was searched on the main stream's full-resolution frame",
    (s) => s.fullResolution,
  );
  counter('jifang_plate_skipped_total', 'Evidence frames not read because plate reading was behind', (s) => s.skipped);
  counter('jifang_plate_read_seconds_total', 'Wall time spent reading plates', (s) => s.seconds);
}
