import type { EventRow } from '../wire.ts';
import { type Row, strOrNull } from './db.ts';

/** Which event and what it is: what the archive's and the statistics' reads of an event both start with. */
export type EventHead = Pick<EventRow, 'id' | 'site' | 'camera' | 'zone' | 'type' | 'categoryCode' | 'categoryName'>;

export function eventHead(r: Row): EventHead {
  return {
    id: String(r.id),
    site: String(r.site),
    camera: String(r.camera),
    zone: String(r.zone),
    type: String(r.type),
    categoryCode: strOrNull(r.category_code),
    categoryName: strOrNull(r.category_name),
  };
}
