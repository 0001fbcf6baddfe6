import type { EventRow } from '../wire.ts';
import { type Row, strOrNull } from './db.ts';

/**
 * The camera's name as the box's alert gave it, else as the box's status names the camera (an alert of an older box
 * has none): an expression over a row of `events` read without an alias.
 */
export const CAMERA_NAME = 'COALESCE(camera_name, (SELECT c.name FROM cameras c WHERE c.site = events.site AND c.camera = events.camera))';

/** The columns {@link eventHead} reads. */
export const EVENT_HEAD_COLUMNS = `id, site, camera, zone, type, category_code, category_name, ${CAMERA_NAME} AS camera_name, zone_name`;

/** Which event and what it is: what the archive's and the statistics' reads of an event both start with. */
export type EventHead = Pick<
  EventRow,
  'id' | 'site' | 'camera' | 'zone' | 'type' | 'categoryCode' | 'categoryName' | 'cameraName' | 'zoneName'
>;

export function eventHead(r: Row): EventHead {
  return {
    id: String(r.id),
    site: String(r.site),
    camera: String(r.camera),
    zone: String(r.zone),
    type: String(r.type),
    categoryCode: strOrNull(r.category_code),
    categoryName: strOrNull(r.category_name),
    cameraName: strOrNull(r.camera_name),
    zoneName: strOrNull(r.zone_name),
  };
}
