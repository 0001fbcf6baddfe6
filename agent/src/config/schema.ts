import { z } from 'zod';
import { auditConfigSchema } from '../audit/config.ts';
import { degeneratePolygon, idSchema, latLonSchema, polygonSchema } from '../core/schema.ts';
import { cameraModelsSchema, DEFAULT_MODEL, detectorConfigSchema, modelsSchema, windowsSchema } from '../detect/config.ts';
import { evidenceConfigSchema } from '../evidence/config.ts';
import { calibrationSchema } from '../geo/config.ts';
import { cameraSourceFields } from '../ingest/config.ts';
import { detectionConfigSchema, motionMasksSchema } from '../motion/config.ts';
import { mqttConfigSchema } from '../publish/config.ts';
import { RESERVED_LEVELS } from '../publish/topics.ts';
import { zoneSchema } from '../rules/config.ts';
import { eventRestoreConfigSchema } from '../rules/restore.ts';
import { trackerConfigSchema } from '../track/config.ts';
import { DEFAULT_DATA_DIR } from './data-dir.ts';
import { httpSchema } from './http.ts';
import { plateReadingSchema } from './plates.ts';

export const siteSchema = z.strictObject({
  id: idSchema.meta({ description: 'The site id: lower-case letters, digits, "-" and "_"; part of every MQTT topic and alert.' }),
  name: z.string().min(1).meta({ description: 'The site name for people, e.g. 徐汇区 漕溪北路; shown in alerts and the console.' }),
  timezone: z
    .string()
    .refine(isTimeZone, { error: 'expected an IANA time zone such as "Asia/Shanghai"' })
    .meta({ description: 'The time zone rule schedules are read in, e.g. Asia/Shanghai (an IANA name).' }),
  location: latLonSchema.meta({ description: "The box's position, and the location of cameras that give none." }),
  address: z.string().optional().meta({ description: 'The street address, for people reading alerts.' }),
  boxId: idSchema
    .optional()
    .meta({ description: 'Names this box in alerts and its MQTT client id when a site has several boxes; default: the host name.' }),
  divisionCode: z
    .string()
    .regex(/^\d{6}$/, { error: 'expected a 6-digit GB/T 2260 administrative division code such as "310104"' })
    .optional()
    .meta({
      description:
        "The site's administrative division code (GB/T 2260, 6 digits, e.g. 310104 上海市徐汇区): with an event's 5-digit GB/T 47678.5 code it makes the 11-digit event code alerts carry.",
    }),
});

export const cameraSchema = z.strictObject({
  id: idSchema.meta({ description: 'The camera id, unique on the box: lower-case letters, digits, "-" and "_"; part of its MQTT topics.' }),
  name: z.string().min(1).optional().meta({ description: 'The camera name for people, e.g. 北向 枪机; shown in alerts and the console.' }),
  ...cameraSourceFields,
  location: latLonSchema.optional().meta({ description: "Where the camera stands; default the site's location." }),
  address: z.string().optional().meta({ description: 'The street address the camera watches, for people reading alerts.' }),
  calibration: calibrationSchema.optional().meta({
    description:
      'Points of the picture with their map positions, so alerts carry where on the ground an object is; absent: the camera location.',
  }),
  privacyMasks: z.array(polygonSchema).default([]).meta({
    description:
      'Areas blacked out before analysis, storage and sending (windows of homes): polygons of points normalised 0..1. Default none.',
  }),
  motionMasks: motionMasksSchema,
  detection: detectionConfigSchema
    .default(detectionConfigSchema.parse({}))
    .meta({ description: 'Where the model looks: only where something moves (default, saves CPU) or the whole frame every time.' }),
  windows: windowsSchema,
  models: cameraModelsSchema,
  zones: z.array(zoneSchema).default([]).meta({
    description: 'The areas of the picture with the rules that report events in them. Default none (the camera is only watched).',
  }),
  tracker: trackerConfigSchema.default(trackerConfigSchema.parse({})).meta({
    description: 'Tuning of how objects are followed from frame to frame; the defaults suit the bundled model on street footage.',
  }),
  plates: plateReadingSchema.default(plateReadingSchema.parse({})).meta({
    description:
      "Reading licence plates of the vehicles in this camera's events (default: on for illegal_parking when the plate models are installed).",
  }),
});
export type CameraConfig = z.infer<typeof cameraSchema>;

const configObjectSchema = z.strictObject({
  site: siteSchema.meta({ description: 'Where the box is: id, name, time zone and position.' }),
  mqtt: mqttConfigSchema.default(mqttConfigSchema.parse({})).meta({
    description: 'The connection to the MQTT broker alerts go to and commands come from; absent: a built-in broker on localhost.',
  }),
  model: detectorConfigSchema
    .default(detectorConfigSchema.parse({}))
    .meta({ description: 'The object detector: which model, its thresholds and threads.' }),
  models: modelsSchema,
  cameras: z
    .array(cameraSchema)
    .min(1, { error: 'expected at least one camera' })
    .meta({ description: 'The cameras this box analyses, with their zones and rules; at least one.' }),
  evidence: evidenceConfigSchema
    .default(evidenceConfigSchema.parse({}))
    .meta({ description: 'Snapshots, thumbnails, clips, pixelation and how long evidence is kept.' }),
  audit: auditConfigSchema
    .default(auditConfigSchema.parse({}))
    .meta({ description: 'The tamper-evident audit log (always on, in DATADIR/audit): optional signing key and backup copy.' }),
  events: eventRestoreConfigSchema.default(eventRestoreConfigSchema.parse({})).meta({
    description: 'Open events are saved to disk and continued after a restart (or ended with a reason when their object is gone).',
  }),
  catalogue: z.string().min(1).optional().meta({
    description:
      "A site's file of corrections and additions to the event catalogue (same form as agent/src/catalogue/events.yaml); relative to the config file.",
  }),
  dataDir: z
    .string()
    .min(1)
    .default(DEFAULT_DATA_DIR)
    .meta({
      description: `The folder for the outbox, evidence and audit log, relative to the config file. Absent: the environment variable JIFANG_DATA_DIR, else ${DEFAULT_DATA_DIR}.`,
    }),
  http: httpSchema.optional().meta({ description: "The box's own web server: /healthz, /metrics and the web console; absent: off." }),
  logLevel: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .meta({ description: 'How much the agent logs: fatal, error, warn, info (default), debug, trace or silent.' }),
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
type UncheckedConfig = { site?: { id?: unknown }; cameras?: unknown; models?: unknown };
type UncheckedZone = { id?: unknown; name?: unknown; units?: unknown; polygon?: unknown; rules?: unknown };
type UncheckedCamera = {
  id?: unknown;
  analysis?: { width?: unknown; height?: unknown };
  zones?: unknown;
  privacyMasks?: unknown;
  motionMasks?: unknown;
  windows?: unknown;
  models?: unknown;
};

const asArray = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);
const numberOr = (v: unknown, dflt: number): number => (typeof v === 'number' ? v : dflt);
const isPoint = (p: unknown): p is [number, number] => Array.isArray(p) && typeof p[0] === 'number' && typeof p[1] === 'number';

function checkCrossReferences(cfg: UncheckedConfig, ctx: z.RefinementCtx): void {
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  const cameras = asArray<UncheckedCamera>(cfg.cameras);
  const named = cfg.models && typeof cfg.models === 'object' ? Object.keys(cfg.models) : [];
  for (const name of named)
    if (!idSchema.safeParse(name).success)
      issue(['models', name], 'expected a model name of lower-case letters, digits, "-" or "_" (max 63, starting with a letter or digit)');
  if (named.includes(DEFAULT_MODEL))
    issue(['models', DEFAULT_MODEL], `"${DEFAULT_MODEL}" names the detector under model: expected another name for this one`);
  const known = [DEFAULT_MODEL, ...named.filter((n) => n !== DEFAULT_MODEL)];
  duplicates(cameras.map((c) => c?.id)).forEach((i) => issue(['cameras', i, 'id'], `duplicate camera id ${JSON.stringify(cameras[i].id)}`));
  topicWordIssue(cfg.site?.id, 'site', ['site', 'id'], issue);
  cameras.forEach((cam, ci) => {
    if (!cam || typeof cam !== 'object') return;
    topicWordIssue(cam.id, 'camera', ['cameras', ci, 'id'], issue);
    checkAreas(cam, ci, issue);
    const models = asArray<unknown>(cam.models);
    models.forEach((m, mi) => {
      if (typeof m === 'string' && !known.includes(m))
        issue(
          ['cameras', ci, 'models', mi],
          `unknown model ${JSON.stringify(m)}: expected one of ${known.join(', ')} (name others under models:)`,
        );
    });
    duplicates(models).forEach((mi) => issue(['cameras', ci, 'models', mi], `model ${JSON.stringify(models[mi])} is listed twice`));
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

type Issue = (path: (string | number)[], message: string) => void;

/** A site or camera id is a level of the box's MQTT topics: one named like the contract's own levels would be read as them. */
function topicWordIssue(id: unknown, what: string, path: (string | number)[], issue: Issue): void {
  if (typeof id === 'string' && RESERVED_LEVELS.has(id))
    issue(path, `"${id}" is a word of the box's MQTT topics (${[...RESERVED_LEVELS].join(', ')}): expected another ${what} id`);
}

/** Zones and masks that outline no area would never hold an object (or hide a pixel): refused, naming the zone. */
function checkAreas(cam: UncheckedCamera, ci: number, issue: Issue): void {
  asArray<UncheckedZone>(cam.zones).forEach((zone, zi) => {
    const pts = asArray<unknown>(zone?.polygon);
    const why = pts.length >= 3 && pts.every(isPoint) ? degeneratePolygon(pts) : undefined;
    const name = typeof zone.name === 'string' ? ` (${zone.name})` : '';
    if (why) issue(['cameras', ci, 'zones', zi, 'polygon'], `zone ${JSON.stringify(zone.id)}${name}: ${why}`);
  });
  for (const field of ['privacyMasks', 'motionMasks'] as const) {
    asArray<unknown>(cam[field]).forEach((mask, mi) => {
      const pts = asArray<unknown>(mask);
      const why = pts.length >= 3 && pts.every(isPoint) ? degeneratePolygon(pts) : undefined;
      if (why) issue(['cameras', ci, field, mi], `${field}[${mi}]: ${why}`);
    });
  }
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
