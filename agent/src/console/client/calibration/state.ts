import { h } from '../../../web/client/dom.ts';
import type { EditData } from '../edit-api.ts';
import type { Stage } from '../stage.ts';
import type { Datum, Mark } from './datum.ts';
import type { MarksFit } from './fit.ts';

/** The calibration page's state: its parts, the marked points and their fit. */
export interface CalibrationView {
  readonly camera: string;
  readonly parts: ReturnType<typeof pageParts>;
  marks: Mark[];
  /** The datum latitude and longitude are typed and shown in. */
  datum: Datum;
  edit?: EditData;
  stage?: Stage;
  /** The index of the mark being dragged. */
  drag?: number;
  /** The index of the mark whose place the next click on the map gives. */
  picking?: number;
  /** The map, once its chunk has loaded (and the browser can draw it). */
  map?: CalibrationMap;
  result: MarksFit;
}

/** The calibration drawn on the map: redrawn after every change. */
export interface CalibrationMap {
  show(view: CalibrationView): void;
}

function pageParts() {
  return {
    error: h('p', { class: 'error' }),
    rows: h('tbody'),
    total: h('p', { id: 'calib-total' }),
    plan: h('div', { id: 'calib-plan' }),
    map: h('div', { id: 'calib-map', class: 'calib-map' }),
    mapHint: h('p', { id: 'calib-map-hint', class: 'muted small' }),
    hover: h('p', { id: 'calib-hover', class: 'muted small' }),
    problemsBox: h('div', { class: 'error', id: 'save-problems' }),
    resultBox: h('div', { id: 'save-result' }),
    diffBox: h('pre', { class: 'diff', id: 'save-diff' }),
  };
}

export function newCalibrationView(camera: string): CalibrationView {
  return { camera, parts: pageParts(), marks: [], datum: 'wgs84', result: { complete: [], loo: [] } };
}
