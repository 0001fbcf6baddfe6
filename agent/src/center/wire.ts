import type { Alert } from '../contract/alert.ts';
import type { CommandResult } from '../contract/commands.ts';
import type { CameraHealth } from '../contract/health.ts';
import type { PageId } from './client/pages/table.ts';

/* What the center's pages receive: shared by the server and the browser code (no Node imports here). */

/** What the archive keeps of one event: its latest state plus the pictures an operator and a dispatcher need. */
export interface EventRow {
  id: string;
  site: string;
  camera: string;
  zone: string;
  /** The camera's and the zone's names for people (the box's config); null when neither the alert nor the box's status names it. */
  cameraName: string | null;
  zoneName: string | null;
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
  /** When the center received it: the handling clock starts there. */
  firstSeen: number;
  rev: number;
  changedAt: number;
  /** The plate the box voted (the newest message's that has one); null when none was read. */
  plate: string | null;
  /** The rule that raised it: with the camera and zone, what the queue groups by. */
  rule: string | null;
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

/** An operator's or dispatcher's action on an event: who asked, and what the box answered. */
export interface ActionRow {
  requestId: string;
  eventId: string;
  site: string;
  action: string;
  by: string;
  role: string | null;
  unit: string | null;
  note: string | null;
  requestedAt: number;
  result: 'pending' | 'ok' | 'refused' | 'timeout';
  error: string | null;
  answeredAt: number | null;
}

/** One lifecycle message queued for one forwarder (a city platform). */
export interface DeliveryRow {
  forwarder: string;
  eventId: string;
  seq: number;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  nextAt: number;
  lastError: string | null;
  lastStatus: number | null;
  deliveredAt: number | null;
  createdAt: number;
}

export interface DeliveryStat {
  forwarder: string;
  pending: number;
  delivered: number;
  failed: number;
  lastError: string | null;
  lastDeliveredAt: number | null;
}

/** An archived alert: the contract's fields, and a plate newer agents may add (kept as it came, read loosely). */
export type ArchivedAlert = Alert & { plate?: { text?: string; colour?: string; color?: string; confidence?: number } };

/** One lifecycle message of an event, as its history lists it. */
export interface EventMessageView {
  seq: number;
  state: string;
  snapshot: string | null;
  receivedAt: number;
  observedAt: string;
  dwellSeconds: number;
  operator: Alert['operator'] | null;
  reason: string | null;
}

/** `GET /api/events/:id`: the event, its latest alert, its history, the actions taken on it and its deliveries. */
export interface EventDetail {
  event: PresentedEvent;
  alert: ArchivedAlert | null;
  messages: EventMessageView[];
  actions: ActionRow[];
  deliveries: DeliveryRow[];
}

/** `POST /api/events/:id/actions`: what the box answered (or that it did not within the timeout). */
export interface ActionReply {
  requestId: string;
  ok: boolean;
  error?: string;
  result?: CommandResult;
}

/** A forwarder as `GET /api/forwarders` lists it: its URL without credentials, and how its deliveries stand. */
export interface ForwarderView {
  id: string;
  name: string;
  url: string;
  states: string[];
  stats: DeliveryStat;
}

/** What a center page starts from (the page's JSON data), whichever page it is. */
export interface CenterPageData {
  view: PageId;
  name: string;
  user: string;
  role: string;
  actionRoles: Record<string, readonly string[]>;
  units: string[];
  reminderMinutes: number;
  /** The city's offset from UTC in minutes (`risk.utcOffset`): the pages write times on the city's clock. */
  offsetMinutes: number;
}

/** One event type of the catalogue as the pages name it (`GET /api/catalogue`): the standard's words and its code. */
export interface CategoryView {
  id: string;
  name: { zh: string; en: string };
  /** The GB/T 47678.5 code, else the older city-system code; null when the catalogue has neither. */
  code: string | null;
}

/** `GET /api/admin/settings`: what the config file sets, as an admin reads it (secrets and passwords left out). */
export interface CenterSettings {
  name: string;
  /** The broker's scheme and host only. */
  broker: string;
  topicRoot: string;
  commandTimeoutSeconds: number;
  storage: string;
  usersFile: string;
  units: string[];
  dispatchReminderMinutes: number;
  retention: RetentionView;
  forwarders: { id: string; name: string; url: string; states: string[] }[];
}

/** Every retention setting, as the config's `retention` has them. */
export interface RetentionView {
  eventDays: number;
  snapshotDays: number;
  snapshotMegabytesPerBox: number;
  deadLetterMegabytes: number;
  patrolPhotoDays: number;
  everyMinutes: number;
}

/** The settings an admin changes from /admin, as the center runs them or as its file now says. */
export interface EditableSettings {
  name: string;
  commandTimeoutSeconds: number;
  units: string[];
  dispatchReminderMinutes: number;
  retention: RetentionView;
}

/** A secret as the admin page shows it: where it comes from, never its value. */
export type SecretView = { kind: 'none' } | { kind: 'inline' } | { kind: 'file'; file: string } | { kind: 'env'; env: string };

/** One forwarder as the admin's form edits it: its secrets write-only (a URL's password shown as ***). */
export interface ForwarderEditView {
  id: string;
  name: string;
  url: string;
  enabled: boolean;
  states: string[];
  /** null: every event type. */
  categories: string[] | null;
  /** The body's fields as [dotted field path, value] rows; null: the alert itself. */
  template: [string, unknown][] | null;
  /** Header names only: their values may be keys. */
  headers: string[];
  token: SecretView;
  maxAttempts: number;
  timeoutSeconds: number;
}

/** `GET /api/admin/config`: the config file an admin edits, and what of it runs now. */
export interface CenterConfigView {
  file: string;
  sha256: string;
  /** As the file says (what runs after a restart). */
  settings: EditableSettings;
  /** As this instance runs them: a field that differs waits for a restart. */
  running: EditableSettings;
  /** Config paths applied only at a restart. */
  restartPaths: string[];
  forwarders: ForwarderEditView[];
  categories: CategoryView[];
}
