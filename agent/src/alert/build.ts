import { builtinCatalogue, type Catalogue } from '../catalogue/load.ts';
import { ALERT_SCHEMA_ID, type Alert, type AlertObject, alertSchema, type Category, type GeoPoint } from '../contract/alert.ts';
import type { Plate } from '../contract/plate.ts';
import type { LatLon } from '../core/geometry.ts';
import { bottomCentre } from '../core/geometry.ts';
import type { GeoMapper } from '../geo/mapper.ts';
import type { RuleConfig } from '../rules/config.ts';
import type { EventObject, ViolationUpdate } from '../rules/types.ts';

export interface AlertContext {
  /** `divisionCode`: GB/T 2260, for the full 11-digit event code. */
  site: { id: string; divisionCode?: string };
  /** Where event types get their names and codes; default the built-in catalogue. */
  catalogue?: Catalogue;
  /** `location`: where the camera stands (the site's position when the camera has none). */
  camera: { id: string; name?: string; location: LatLon; address?: string };
  /** The camera's calibration; absent when uncalibrated (the alert then carries the camera's position). */
  geo?: GeoMapper;
  model: { name: string; sha256: string };
  /** The camera's models by configured name (what `objects[].model` says); absent: the default model alone. */
  models?: Readonly<Record<string, { name: string; sha256: string }>>;
  agent: { version: string; boxId: string };
  /** The analysed frame the boxes are in. */
  frame: { width: number; height: number };
  evidence?: Alert['evidence'];
  /** Plates read so far, by track id. */
  plates?: ReadonlyMap<number, Plate>;
}

/** ~1 cm: more digits would only be noise. */
const GEO_DIGITS = 7;
/** 1/10 000 of the frame: finer than a pixel of any analysis size. */
const BOX_DIGITS = 4;

/** Turns a lifecycle message into the published `jifang.event/1` payload, validated against its schema. */
export function buildAlert(update: ViolationUpdate, ctx: AlertContext): Alert {
  const objects = update.objects.map((o) => alertObject(o, ctx));
  const grounded = objects.flatMap((o) => (o.geo ? [o.geo.coordinates] : []));
  const { id: ruleId, type, ...parameters } = update.rule;
  const alert: Alert = {
    schema: ALERT_SCHEMA_ID,
    id: update.eventId,
    seq: update.seq,
    type,
    category: categoryOf(update.rule, ctx),
    state: update.state,
    phase: update.phase,
    site: ctx.site.id,
    camera: ctx.camera.id,
    cameraName: ctx.camera.name,
    zone: update.zone.id,
    zoneName: update.zone.name,
    startedAt: iso(update.startedAt),
    observedAt: iso(update.observedAt),
    endedAt: update.endedAt === undefined ? undefined : iso(update.endedAt),
    dwellSeconds: Math.max(0, Math.round(update.dwellSeconds * 10) / 10),
    reason: update.reason,
    objects,
    // The violation is where its objects touch the ground; their centroid when there are several.
    location:
      grounded.length > 0
        ? point({ lon: mean(grounded.map((c) => c[0])), lat: mean(grounded.map((c) => c[1])) })
        : point(ctx.camera.location),
    locationSource: grounded.length > 0 ? 'calibrated' : 'camera',
    address: ctx.camera.address,
    evidence: ctx.evidence ?? {},
    rule: { id: ruleId, type, description: update.ruleDescription, parameters },
    model: ctx.model,
    models: ctx.models && { ...ctx.models },
    agent: ctx.agent,
    operator: update.operator && {
      action: update.operator.action,
      by: update.operator.by,
      at: iso(update.operator.at),
      note: update.operator.note,
      unit: update.operator.unit,
    },
  };
  return alertSchema.parse(dropUndefined(alert));
}

function alertObject(o: EventObject, ctx: AlertContext): AlertObject {
  const { width: w, height: h } = ctx.frame;
  const x1 = unit(o.box.x1 / w);
  const y1 = unit(o.box.y1 / h);
  const ground = ctx.geo?.toGeo(bottomCentre(o.box));
  const plate = ctx.plates?.get(o.trackId);
  return {
    label: o.label,
    ...(o.model !== undefined && { model: o.model }),
    score: round(clamp01(o.score), 3),
    trackId: o.trackId,
    box: { x: x1, y: y1, width: round(unit(o.box.x2 / w) - x1, BOX_DIGITS), height: round(unit(o.box.y2 / h) - y1, BOX_DIGITS) },
    ...(ground && { geo: point(ground) }),
    ...(plate && { plate }),
    ...(o.foreground && { foreground: { area: round(clamp01(o.foreground.area / (w * h)), 6), overlaps: [...o.foreground.overlaps] } }),
  };
}

/** The event type a rule's alerts are filed as, in the catalogue's words and codes. */
export function categoryOf(rule: RuleConfig, ctx: Pick<AlertContext, 'catalogue' | 'site'>): Category {
  const catalogue = ctx.catalogue ?? builtinCatalogue();
  const e = catalogue.eventOf(rule);
  const code = e.codes.gbt?.code;
  return dropUndefined({
    id: e.id,
    name: e.name.zh,
    nameEn: e.name.en,
    standard: code ? catalogue.standard : undefined,
    code,
    fullCode: code && ctx.site.divisionCode ? `${ctx.site.divisionCode}${code}` : undefined,
    legacyCode: e.codes.legacy?.code,
    dahuaCode: e.codes.dahua?.code,
    catalogueVersion: catalogue.version,
  });
}

function point(p: LatLon): GeoPoint {
  return { type: 'Point', coordinates: [round(p.lon, GEO_DIGITS), round(p.lat, GEO_DIGITS)] };
}

function round(v: number, digits: number): number {
  return Math.round(v * 10 ** digits) / 10 ** digits;
}

/** A box edge as a fraction of the frame, clamped and rounded. */
function unit(v: number): number {
  return round(clamp01(v), BOX_DIGITS);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function mean(xs: readonly number[]): number {
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}

function clamp01(v: number): number {
  return Math.min(1, Math.max(0, v));
}

/** Optional fields are left out rather than sent as null/undefined, so consumers see one shape. */
function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
