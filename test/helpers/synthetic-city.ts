import { seededRandom } from '../../agent/src/core/random.ts';
import type { Incident } from '../../agent/src/risk/incident.ts';

/**
 * A synthetic city with a known pattern, for the risk model's tests and benchmark. Incidents carry what planted them
 * as their source: `stall` (a vendor at one spot on fixed weekdays and hours), `market` (a Sunday-morning market
 * spread over a few hundred metres) or `background` (anywhere, more at the rush hours). Some days are rainy, with
 * a third of the incidents. Times are local at +08:00 from Monday 2026-01-05.
 */
export interface CityOptions {
  seed: number;
  weeks: number;
  /** Side of the square city, metres. */
  sizeMeters: number;
  backgroundPerWeek: number;
  stalls: number;
  /** Mean incidents a week of one stall (a sparse habit when about 1). */
  stallPerWeek: number;
  marketPerDay: number;
}

export const DEFAULT_CITY: CityOptions = {
  seed: 7,
  weeks: 30,
  sizeMeters: 8000,
  backgroundPerWeek: 250,
  stalls: 40,
  stallPerWeek: 1.5,
  marketPerDay: 12,
};

const ORIGIN = { lat: 31.2, lon: 121.45 };
const START = Date.parse('2026-01-05T00:00:00+08:00');
const OFFSET = 8 * 60;
const M_PER_DEG = 111_320;
const RUSH = (h: number) => (h >= 7 && h < 9) || (h >= 17 && h < 19);

function poisson(random: () => number, mean: number): number {
  if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * gauss(random)));
  const limit = Math.exp(-mean);
  let k = 0;
  for (let p = random(); p > limit; p *= random()) k++;
  return k;
}

function gauss(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

export function syntheticCity(options: Partial<CityOptions> = {}): Incident[] {
  const o = { ...DEFAULT_CITY, ...options };
  const random = seededRandom(o.seed);
  const place = (east: number, north: number) => ({
    lat: ORIGIN.lat + north / M_PER_DEG,
    lon: ORIGIN.lon + east / (M_PER_DEG * Math.cos((ORIGIN.lat * Math.PI) / 180)),
  });
  const stalls = Array.from({ length: o.stalls }, () => ({
    east: (0.1 + 0.8 * random()) * o.sizeMeters,
    north: (0.1 + 0.8 * random()) * o.sizeMeters,
    days: [0, 1, 2, 3, 4, 5, 6].filter(() => random() < 0.4).concat([Math.floor(random() * 7)]),
    hour: 8 + Math.floor(random() * 10),
  }));
  const market = { east: o.sizeMeters * 0.3, north: o.sizeMeters * 0.7 };
  const hourWeight = Array.from({ length: 24 }, (_, h) => (RUSH(h) ? 3 : h < 6 ? 0.3 : 1));
  const weightSum = hourWeight.reduce((s, w) => s + w, 0) * 7;
  const out: Incident[] = [];
  const add = (hourStart: number, source: string, east: number, north: number, category: string) => {
    const time = hourStart + Math.floor(random() * 3600) * 1000;
    out.push({ time, offsetMinutes: OFFSET, ...place(east, north), category, source, sourceId: String(out.length) });
  };
  const categories = ['parking', 'dumping', 'vending'];
  for (let day = 0; day < o.weeks * 7; day++) {
    const weather = random() < 0.12 ? 0.3 : 1;
    const weekday = day % 7;
    for (let h = 0; h < 24; h++) {
      const hourStart = START + (day * 24 + h) * 3_600_000;
      for (let k = poisson(random, (weather * o.backgroundPerWeek * hourWeight[h]) / weightSum); k > 0; k--)
        add(hourStart, 'background', random() * o.sizeMeters, random() * o.sizeMeters, categories[Math.floor(random() * 3)]);
      for (const s of stalls) {
        if (!s.days.includes(weekday) || h < s.hour || h >= s.hour + 3) continue;
        for (let k = poisson(random, (weather * o.stallPerWeek) / (3 * new Set(s.days).size)); k > 0; k--)
          add(hourStart, 'stall', s.east + 20 * gauss(random), s.north + 20 * gauss(random), 'vending');
      }
      if (weekday === 6 && h >= 6 && h < 12)
        for (let k = poisson(random, (weather * o.marketPerDay) / 6); k > 0; k--)
          add(hourStart, 'market', market.east + 150 * gauss(random), market.north + 150 * gauss(random), 'vending');
    }
  }
  return out;
}
