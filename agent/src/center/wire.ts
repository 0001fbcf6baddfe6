import type { CameraHealth } from '../contract/health.ts';
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

export interface BoxRow {
  site: string;
  boxId: string | null;
  online: boolean;
  agentVersion: string | null;
  startedAt: string | null;
  statusAt: number | null;
  lastContact: number;
  changedAt: number;
  /** The site's location from the box's latest status (its Last Will repeats it); null before one arrived. */
  location: { lat: number; lon: number } | null;
  cameras: CameraRow[];
}

export interface CameraRow {
  camera: string;
  name: string | null;
  state: string | null;
  reason: string | null;
  healthAt: number | null;
  health: CameraHealth | null;
}

/** A box as the API and the feed present it: the row plus where to draw it (null until its status gave a location). */
export type PresentedBox = BoxRow & { map: [number, number] | null };

/** An archived event as the REST API and the live feed present it: the row plus where to draw it and its thumbnail. */
export type PresentedEvent = EventRow & { map: [number, number]; thumbnail: string };
