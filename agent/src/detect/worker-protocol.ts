import type { LoadedModel } from '../model/load.ts';
import type { DetectorConfig } from './config.ts';
import type { Detection, DetectionWindow, DetectorInfo, DetectTimings } from './types.ts';

export interface DetectorWorkerData {
  model: LoadedModel;
  cfg: DetectorConfig;
}

export type ToDetectorWorker = {
  type: 'detect';
  id: number;
  width: number;
  height: number;
  data: Uint8Array;
  windows: DetectionWindow[];
  wholeFrame: boolean;
};

export type FromDetectorWorker =
  | { type: 'ready'; info: DetectorInfo }
  | { type: 'result'; id: number; detections: Detection[]; timings: DetectTimings }
  | { type: 'error'; id: number; message: string }
  | { type: 'fatal'; message: string };
