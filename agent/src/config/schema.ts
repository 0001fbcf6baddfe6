import { z } from 'zod';
import { idSchema, latLonSchema, polygonSchema } from './common.ts';
import { cameraSourceFields } from '../ingest/config.ts';
import { zoneSchema } from '../rules/config.ts';
import { calibrationSchema } from '../geo/config.ts';
import { detectorConfigSchema } from '../detect/config.ts';
import { mqttConfigSchema } from '../publish/config.ts';
import { evidenceConfigSchema } from '../evidence/config.ts';

export const siteSchema = z.strictObject({
  id: idSchema,
  name: z.string().min(1),
  timezone: z.string().refine(isTimeZone, { error: 'expected an IANA time zone such as "Asia/Shanghai"' }),
  /** The box's own position: the fallback location for cameras without one. */
  location: latLonSchema,
  address: z.string().optional(),
  /** Identifies this box in alerts and the MQTT client id; default: the host name. */
  boxId: idSchema.optional(),
});

const windowSchema = z.strictObject({
  x: z.number().min(0),
  y: z.number().min(0),
  width: z.number().positive(),
  height: z.number().positive(),
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
  /**
   * Extra detection windows, in analysis-frame pixels, run at the model's native size.
   * `zones` (the default) uses each zone's padded bounding box; `none` analyses only the whole frame.
   */
  windows: z.union([z.enum(['zones', 'none']), z.array(windowSchema).min(1)]).default('zones'),
  zones: z.array(zoneSchema).default([]),
});
export type CameraConfig = z.infer<typeof cameraSchema>;

const configObjectSchema = z.strictObject({
    site: siteSchema,
    mqtt: mqttConfigSchema.default(mqttConfigSchema.parse({})),
    model: detectorConfigSchema.default(detectorConfigSchema.parse({})),
    cameras: z.array(cameraSchema).min(1, { error: 'expected at least one camera' }),
    evidence: evidenceConfigSchema.default(evidenceConfigSchema.parse({})),
    /** Outbox, evidence and audit log live here. */
    dataDir: z.string().min(1).default('data'),
    /** Local /healthz and /metrics; off unless a port is given. */
    http: z.strictObject({ port: z.number().int().min(1).max(65535), host: z.string().default('127.0.0.1') }).optional(),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export const configSchema = configObjectSchema.superRefine(checkCrossReferences);
export type Config = z.infer<typeof configSchema>;

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function checkCrossReferences(cfg: z.infer<typeof configObjectSchema>, ctx: z.RefinementCtx): void {
  duplicates(cfg.cameras.map((c) => c.id)).forEach((i) =>
    ctx.addIssue({ code: 'custom', path: ['cameras', i, 'id'], message: `duplicate camera id "${cfg.cameras[i].id}"` }),
  );
  cfg.cameras.forEach((cam, ci) => {
    const { width, height } = cam.analysis;
    duplicates(cam.zones.map((z) => z.id)).forEach((zi) =>
      ctx.addIssue({ code: 'custom', path: ['cameras', ci, 'zones', zi, 'id'], message: `duplicate zone id "${cam.zones[zi].id}"` }),
    );
    cam.zones.forEach((zone, zi) => {
      const [mx, my, unit] = zone.units === 'normalized' ? [1, 1, '0..1'] : [width, height, `the ${width}×${height} analysis frame`];
      zone.polygon.forEach(([x, y], pi) => {
        if (x < 0 || y < 0 || x > mx || y > my) {
          ctx.addIssue({ code: 'custom', path: ['cameras', ci, 'zones', zi, 'polygon', pi], message: `expected a point inside ${unit}, got [${x}, ${y}]` });
        }
      });
      duplicates(zone.rules.map((r) => r.id)).forEach((ri) =>
        ctx.addIssue({ code: 'custom', path: ['cameras', ci, 'zones', zi, 'rules', ri, 'id'], message: `duplicate rule id "${zone.rules[ri].id}"` }),
      );
    });
    cam.privacyMasks.forEach((mask, mi) =>
      mask.forEach(([x, y], pi) => {
        if (x < 0 || y < 0 || x > 1 || y > 1) {
          ctx.addIssue({ code: 'custom', path: ['cameras', ci, 'privacyMasks', mi, pi], message: `expected a normalised point inside 0..1, got [${x}, ${y}]` });
        }
      }),
    );
    if (Array.isArray(cam.windows)) {
      cam.windows.forEach((w, wi) => {
        if (w.x + w.width > width || w.y + w.height > height) {
          ctx.addIssue({ code: 'custom', path: ['cameras', ci, 'windows', wi], message: `expected a window inside the ${width}×${height} analysis frame` });
        }
      });
    }
  });
}

function duplicates(ids: string[]): number[] {
  const seen = new Set<string>();
  const out: number[] = [];
  ids.forEach((id, i) => (seen.has(id) ? out.push(i) : seen.add(id)));
  return out;
}
