import { Counter, Gauge, type LabelValues, type Registry } from 'prom-client';

/** What one series holds at a scrape: a value per label set (`{}` for a series without labels); none, no sample. */
export type Samples<L extends string> = Iterable<readonly [LabelValues<L>, number]>;

interface Series<L extends string> {
  name: string;
  help: string;
  labelNames?: readonly L[];
}

/** The one sample of a series without labels, or none when the value is unknown. */
export const single = (value: number | null): Samples<never> => (value === null ? [] : [[{}, value]]);

/**
 * A gauge read from its owner's own state when Prometheus scrapes, so nothing has to keep it up to date and label sets
 * that are gone (a removed camera) disappear.
 */
export function scrapedGauge<L extends string = never>(registry: Registry, series: Series<L>, read: () => Samples<L>): void {
  new Gauge<L>({
    ...series,
    registers: [registry],
    collect() {
      this.reset();
      for (const [labels, value] of read()) this.set(labels, value);
    },
  });
}

/** A counter whose running totals its owner keeps, read when Prometheus scrapes. */
export function scrapedCounter<L extends string = never>(registry: Registry, series: Series<L>, read: () => Samples<L>): void {
  new Counter<L>({
    ...series,
    registers: [registry],
    collect() {
      this.reset();
      for (const [labels, value] of read()) this.inc(labels, value);
    },
  });
}
