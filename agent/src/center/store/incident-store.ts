import { type Incident, placeKey } from '../../risk/incident.ts';

/** The incidents the risk model learns from, deduplicated as the import does (same time, place and category, or same source id). */
export interface IncidentStore {
  /** Stores what is new, in one transaction; returns how many were added and how many were already held. */
  saveIncidents(incidents: readonly Incident[], importedAt: number): Promise<{ added: number; duplicates: number }>;
  /** Incidents with `since` ≤ time < `until` (ms since the epoch), oldest first. */
  listIncidents(f?: { since?: number; until?: number; categories?: readonly string[] }): Promise<Incident[]>;
}

/** Rows per INSERT: 9 parameters each stays far under both engines' limits. */
const BATCH = 500;
const COLUMNS = 'place_key, source, source_id, time_ms, offset_minutes, lat, lon, category, imported_at';

/** The part of the store's database handle this table uses (db.ts's `Db`, named here so the two files do not import each other). */
interface Sql {
  all(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  run(sql: string, params?: unknown[]): Promise<number>;
  tx<T>(fn: (db: Sql) => Promise<T>): Promise<T>;
}

export function createIncidentStore(db: Sql): IncidentStore {
  return {
    saveIncidents: (incidents, importedAt) =>
      db.tx(async (t) => {
        let added = 0;
        for (let start = 0; start < incidents.length; start += BATCH) {
          const batch = incidents.slice(start, start + BATCH);
          const values = batch.map((_, k) => `(${Array.from({ length: 9 }, (_, c) => `$${k * 9 + c + 1}`).join(', ')})`);
          const params = batch.flatMap((i) => [
            placeKey(i),
            i.source,
            i.sourceId ?? null,
            i.time,
            i.offsetMinutes,
            i.lat,
            i.lon,
            i.category,
            importedAt,
          ]);
          added += await t.run(`INSERT INTO incidents (${COLUMNS}) VALUES ${values.join(', ')} ON CONFLICT DO NOTHING`, params);
        }
        return { added, duplicates: incidents.length - added };
      }),

    listIncidents: async (f = {}) => {
      const where: string[] = [];
      const params: unknown[] = [];
      if (f.since !== undefined) where.push(`time_ms >= $${params.push(f.since)}`);
      if (f.until !== undefined) where.push(`time_ms < $${params.push(f.until)}`);
      if (f.categories) where.push(`category IN (${f.categories.map((c) => `$${params.push(c)}`).join(', ') || 'NULL'})`);
      const rows = await db.all(
        `SELECT source, source_id, time_ms, offset_minutes, lat, lon, category FROM incidents
         ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY time_ms, place_key`,
        params,
      );
      return rows.map((r) => ({
        time: Number(r.time_ms),
        offsetMinutes: Number(r.offset_minutes),
        lat: Number(r.lat),
        lon: Number(r.lon),
        category: String(r.category),
        source: String(r.source),
        ...(r.source_id === null || r.source_id === undefined ? {} : { sourceId: String(r.source_id) }),
      }));
    },
  };
}
