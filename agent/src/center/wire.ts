/* What the center's pages receive: shared by the server and the browser code (no Node imports here). */

/** What the archive keeps of one event: its latest state plus the pictures an operator and a dispatcher need. */
export interface EventRow {
  id: string;
  site: string;
  camera: string;
  zone: string;
  type: string;
  categoryCode: string | null;
  categoryName: string | null;
  state: string;
  seq: number;
  startedAt: number;
  observedAt: number;
  endedAt: number | null;
  dwellSeconds: number;
  lon: number;
  lat: number;
  address: string | null;
  firstSnapshot: string | null;
  lastSnapshot: string | null;
  clearedSnapshot: string | null;
  operatorAction: string | null;
  operatorBy: string | null;
  operatorUnit: string | null;
  operatorAt: number | null;
  dispatchedAt: number | null;
  firstSeen: number;
  rev: number;
  changedAt: number;
}

/** An archived event as the REST API and the live feed present it: the row plus where to draw it and its thumbnail. */
export type PresentedEvent = EventRow & { map: [number, number]; thumbnail: string };
