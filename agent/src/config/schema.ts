import { z } from 'zod';
import { idSchema, latLonSchema, polygonSchema } from '../core/schema.ts';
import { cameraSourceFields } from '../ingest/config.ts';
import { zoneSchema } from '../rules/config.ts';
import { calibrationSchema } from '../geo/config.ts';
import { detectorConfigSchema, windowsSchema } from '../detect/config.ts';
import { mqttConfigSchema } from '../publish/config.ts';
import { evidenceConfigSchema } from '../evidence/config.ts';
import { auditConfigSchema } from '../audit/config.ts';
import { eventRestoreConfigSchema } from '../rules/restore.ts';
import { trackerConfigSchema } from '../track/config.ts';
import { detectionConfigSchema, motionMasksSchema } from '../motion/config.ts';
import { RESERVED_LEVELS } from '../publish/topics.ts';
import { DEFAULT_DATA_DIR } from './data-dir.ts';
import { httpSchema } from './http.ts';

export const siteSchema = z.strictObject({
  id: idSchema,
  name: z.string().min(1),
  timezone: z.string().refine(isTimeZone, { error: 'expected an IANA time zone such as "Asia/Shanghai"' }),
  /** The box's own position: the fallback location for cameras without one. */
  location: latLonSchema,
  address: z.string().optional(),
  /** Identifies this box in alerts and the MQTT client id; default: the host name. */
  boxId: idSchema.optional(),
  /**
   * The administrative division the site is in (GB/T 2260, 6 digits, e.g. 310104 上海市徐汇区): with an event's
   * 5-digit GB/T 47678.5 code it makes the full 11-digit event code alerts carry.
   */
  divisionCode: z
    .string()
    .regex(/^\d{6}$/, { error: 'expected a 6-digit GB/T 2260 administrative division code such as "310104"' })
    .optional(),
});

export const cameraSchema = z.strictObject({
  id: idSchema,
  name: z.string().min(1).optional(),
  ...cameraSourceFields,
  /** Where the camera stands; default the site's location. */
  location: latLonSchema.optional(),
  address: z.string().optional(),
  calibration: calibrationSchema.optional(),
  /** Blacked out before analysis, storage and sending (normalised 0..1 polygons). */
  privacyMasks: z.array(polygonSchema).default([]),
  /** Motion inside these (normalised 0..1 polygons: swaying trees, the camera's clock overlay) is ignored. */
  motionMasks: motionMasksSchema,
  /** Where inferences go: motion-gated regions (default) or the whole frame and every zone window each frame. */
  detection: detectionConfigSchema.default(detectionConfigSchema.parse({})),
  windows: windowsSchema,
  zones: z.array(zoneSchema).default([]),
  /** Tracker tuning; the defaults suit a small COCO model on street footage. */
  tracker: trackerConfigSchema.default(trackerConfigSchema.parse({})),
});
export type CameraConfig = z.infer<typeof cameraSchema>;

const configObjectSchema = z.strictObject({
  site: siteSchema,
  mqtt: mqttConfigSchema.default(mqttConfigSchema.parse({})),
  model: detectorConfigSchema.default(detectorConfigSchema.parse({})),
  cameras: z.array(cameraSchema).min(1, { error: 'expected at least one camera' }),
  evidence: evidenceConfigSchema.default(evidenceConfigSchema.parse({})),
  audit: auditConfigSchema.default(auditConfigSchema.parse({})),
  /** Open events are saved to disk and continued after a restart. */
  events: eventRestoreConfigSchema.default(eventRestoreConfigSchema.parse({})),
  /** A site's corrections and additions to the event catalogue (same shape as agent/src/catalogue/events.yaml). */
  catalogue: z.string().min(1).optional(),
  /** Outbox, evidence and audit log live here. */
  dataDir: z.string().min(1).default(DEFAULT_DATA_DIR),
  /** Local /healthz and /metrics, and the web console; off unless a port is given. */
  http: httpSchema.optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/** Cross-field checks run even when other fields failed, so one `check-config` run lists every problem. */
export const configSchema = configObjectSchema.superRefine((cfg, ctx) => checkCrossReferences(cfg as unknown as UncheckedConfig, ctx), {
  when: () => true,
});
export type Config = z.infer<typeof configSchema>;

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The config as it may be when other fields failed to parse: every field may be missing or wrong. */
type UncheckedConfig = { cameras?: unknown };
type UncheckedZone = { id?: unknown; units?: unknown; polygon?: unknown; rules?: unknown };
type UncheckedCamera = {
  id?: unknown;
  analysis?: { width?: unknown; height?: unknown };
  zones?: unknown;
  privacyMasks?: unknown;
  motionMasks?: unknown;
  windows?: unknown;
};

const asArray = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);
const numberOr = (v: unknown, dflt: number): number => (typeof v === 'number' ? v : dflt);
const isPoint = (p: unknown): p is [number, number] => Array.isArray(p) && typeof p[0] === 'number' && typeof p[1] === 'number';

function checkCrossReferences(cfg: UncheckedConfig, ctx: z.RefinementCtx): void {
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  const cameras = asArray<UncheckedCamera>(cfg.cameras);
  duplicates(cameras.map((c) => c?.id)).forEach((i) => issue(['cameras', i, 'id'], `duplicate camera id ${JSON.stringify(cameras[i].id)}`));
  cameras.forEach((cam, ci) => {
    if (!cam || typeof cam !== 'object') return;
    if (typeof cam.id === 'string' && RESERVED_LEVELS.has(cam.id)) {
      issue(['cameras', ci, 'id'], `"${cam.id}" is reserved for the box's own MQTT topics: expected another camera id`);
    }
    const width = numberOr(cam.analysis?.width, 640);
    const height = numberOr(cam.analysis?.height, 360);
    const zones = asArray<UncheckedZone>(cam.zones);
    duplicates(zones.map((z) => z?.id)).forEach((zi) =>
      issue(['cameras', ci, 'zones', zi, 'id'], `duplicate zone id ${JSON.stringify(zones[zi].id)}`),
    );
    zones.forEach((zone, zi) => {
      if (!zone || typeof zone !== 'object') return;
      const pixels = zone.units === 'pixels';
      const [mx, my, inside] = pixels
        ? [width, height, `the ${width}×${height} analysis frame`]
        : [1, 1, '0..1 (normalised; set units: pixels for pixel coordinates)'];
      asArray<unknown>(zone.polygon).forEach((p, pi) => {
        if (isPoint(p) && (p[0] < 0 || p[1] < 0 || p[0] > mx || p[1] > my)) {
          issue(['cameras', ci, 'zones', zi, 'polygon', pi], `expected a point inside ${inside}, got [${p[0]}, ${p[1]}]`);
        }
      });
      const rules = asArray<{ id?: unknown }>(zone.rules);
      duplicates(rules.map((r) => r?.id)).forEach((ri) =>
        issue(['cameras', ci, 'zones', zi, 'rules', ri, 'id'], `duplicate rule id ${JSON.stringify(rules[ri].id)}`),
      );
    });
    for (const field of ['privacyMasks', 'motionMasks'] as const) {
      asArray<unknown>(cam[field]).forEach((mask, mi) =>
        asArray<unknown>(mask).forEach((p, pi) => {
          if (isPoint(p) && (p[0] < 0 || p[1] < 0 || p[0] > 1 || p[1] > 1)) {
            issue(['cameras', ci, field, mi, pi], `expected a normalised point inside 0..1, got [${p[0]}, ${p[1]}]`);
          }
        }),
      );
    }
    asArray<{ x?: unknown; y?: unknown; width?: unknown; height?: unknown }>(cam.windows).forEach((w, wi) => {
      if (w && numberOr(w.x, 0) + numberOr(w.width, 0) > width)
        issue(['cameras', ci, 'windows', wi], `expected a window inside the ${width}×${height} analysis frame`);
      else if (w && numberOr(w.y, 0) + numberOr(w.height, 0) > height)
        issue(['cameras', ci, 'windows', wi], `expected a window inside the ${width}×${height} analysis frame`);
    });
  });
}

function duplicates(ids: unknown[]): number[] {
  const seen = new Set<unknown>();
  const out: number[] = [];
  ids.forEach((id, i) => {
    if (typeof id !== 'string') return;
    if (seen.has(id)) out.push(i);
    else seen.add(id);
  });
  return out;
}
