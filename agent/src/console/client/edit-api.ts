import type { Point } from '../../core/geometry.ts';
import { api } from '../../web/client/api.ts';
import type { EventInfo, PresetInfo } from '../wire.ts';
import type { RuleTypeInfo } from './rule-check.ts';
import type { Rule as FormRule } from './rule-form.ts';
import type { Units } from './units.ts';

/* The editors' side of /api/cameras/:id/edit and /check: what they load, what a check or a save answers. */

export type Rule = FormRule & { line?: Point[] };

export interface FileZone {
  id: string;
  name?: string;
  units?: Units;
  polygon: Point[];
  rules: Rule[];
  [k: string]: unknown;
}

export interface EditData {
  baseSha256: string;
  file: string;
  camera: {
    id: string;
    name?: string;
    zones: FileZone[];
    privacyMasks: Point[][];
    calibration?: { units?: Units; points: { pixel: Point; geo: { lat: number; lon: number } }[] };
  };
  analysis: { width: number; height: number };
  windows: { x: number; y: number; width: number; height: number }[];
  ruleTypes: RuleTypeInfo[];
  presets: PresetInfo[];
  events: EventInfo[];
}

export interface SaveAnswer {
  diff: string;
  changed: boolean;
  problems: { path: string; message: string; text: string }[];
  /** Valid, but likely not what was meant (a zone under a privacy mask). */
  warnings?: string[];
  saved?: boolean;
  backup?: string;
  applied?: boolean;
  restartNeeded?: boolean;
  reloadError?: string;
  error?: string;
}

const cameraApi = (camera: string) => `/api/cameras/${encodeURIComponent(camera)}`;

/** The camera as its config file writes it, with what the editor's forms are made from. */
export const loadEditData = (camera: string): Promise<EditData> => api<EditData>('GET', `${cameraApi(camera)}/edit`);

/** Checks an edit (`write` false) or saves it; a refused one rejects with an `ApiError` (409, or 422 and its problems). */
export const sendEdit = (camera: string, write: boolean, body: unknown): Promise<SaveAnswer> =>
  api<SaveAnswer>(write ? 'PUT' : 'POST', `${cameraApi(camera)}/${write ? 'edit' : 'check'}`, body);
