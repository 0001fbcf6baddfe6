import type { Point } from '../../../core/geometry.ts';
import { h } from '../../../web/client/dom.ts';
import type { LiveFacts } from '../../wire.ts';
import { t } from '../dom.ts';
import type { EditData, FileZone, Rule } from '../edit-api.ts';
import type { Rule as FormRule } from '../rule-form.ts';
import type { Stage } from '../stage.ts';
import { fromPx, toPx, type Units } from '../units.ts';

export const LAYERS = ['detections', 'tracks', 'zones', 'lines', 'masks', 'windows'] as const;
export type Layer = (typeof LAYERS)[number];

/** A zone or mask being edited: points in frame pixels, written back in the file's own units. */
export interface Shape {
  kind: 'zone' | 'mask';
  units: Units;
  pts: Point[];
  zone?: FileZone;
}

/** A point of the selected shape, or of one of its zone's lines (`rule` set). */
export interface Handle {
  pts: Point[];
  i: number;
  rule?: Rule;
}

/** The live view's state: the page's parts, what the box saw last, and the shapes being edited. */
export interface CameraView {
  readonly camera: string;
  /** Installers and admins edit; others only watch. */
  readonly canEdit: boolean;
  /** The overlay layers shown. */
  readonly layers: Set<Layer>;
  readonly parts: ReturnType<typeof pageParts>;
  stage?: Stage;
  facts?: LiveFacts;
  edit?: EditData;
  shapes: Shape[];
  selected?: Shape;
  selectedPoint?: Handle;
  drag?: Handle;
}

function pageParts() {
  return {
    error: h('p', { class: 'error', id: 'live-error' }),
    status: h('p', { class: 'muted small', id: 'frame-status' }, t('live.waiting')),
    rulesList: h('ul', { id: 'rule-states', class: 'rules' }),
    layerBox: h('div', { class: 'layers' }),
    editor: h('div', { id: 'editor' }),
    problemsBox: h('div', { id: 'save-problems', class: 'error' }),
    resultBox: h('div', { id: 'save-result' }),
    diffBox: h('pre', { id: 'save-diff', class: 'diff' }),
    shapeList: h('div', { class: 'shape-list' }),
    shapeForm: h('div', { id: 'shape-form' }),
  };
}

export function newCameraView(camera: string, canEdit: boolean): CameraView {
  return { camera, canEdit, layers: new Set<Layer>(LAYERS), parts: pageParts(), shapes: [] };
}

/** A rule's line in frame pixels (undefined for a rule without one). */
export function lineOf(view: CameraView, shape: Shape, r: Rule): Point[] | undefined {
  return Array.isArray(r.line) ? r.line.map((p) => toPx(p, shape.units, view.edit!.analysis.width, view.edit!.analysis.height)) : undefined;
}

/** A rule type that judges a line holds it in its `line` parameter (rules/kind.ts): drawn, and seeded when chosen. */
export function takesLine(view: CameraView, r: FormRule): boolean {
  return 'type' in r && view.edit!.ruleTypes.some((x) => x.type === r.type && x.schema.properties?.line);
}

/** The file's masks, then its zones, as shapes in frame pixels. */
export function shapesOf(edit: EditData): Shape[] {
  const { width: w, height: hgt } = edit.analysis;
  return [
    ...edit.camera.privacyMasks.map(
      (m): Shape => ({ kind: 'mask', units: 'normalized', pts: m.map((p) => toPx(p, 'normalized', w, hgt)) }),
    ),
    ...edit.camera.zones.map(
      (z): Shape => ({
        kind: 'zone',
        units: z.units ?? 'normalized',
        pts: z.polygon.map((p) => toPx(p, z.units ?? 'normalized', w, hgt)),
        zone: z,
      }),
    ),
  ];
}

/** The edit as the API takes it: each shape's points back in its file's units (masks always normalized). */
export function editBody(shapes: Shape[], base: EditData) {
  const { width: w, height: hgt } = base.analysis;
  return {
    baseSha256: base.baseSha256,
    zones: shapes.filter((s) => s.kind === 'zone').map((s) => ({ ...s.zone!, polygon: s.pts.map((p) => fromPx(p, s.units, w, hgt)) })),
    privacyMasks: shapes.filter((s) => s.kind === 'mask').map((s) => s.pts.map((p) => fromPx(p, 'normalized', w, hgt))),
  };
}
