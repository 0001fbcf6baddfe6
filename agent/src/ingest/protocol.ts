import type { RingOutput } from './args.ts';
import type { CameraSourceConfig } from './config.ts';
import type { SourceStatus } from './supervisor.ts';

/** Main thread → ingest worker. */
export type ToWorker =
  | { type: 'start'; config: CameraSourceConfig; ring?: RingOutput }
  | { type: 'stop'; camera: string }
  /** A frame buffer given back (transferred) for reuse. */
  | { type: 'recycle'; camera: string; data: ArrayBuffer };

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Ingest worker → main thread. */
export type FromWorker =
  /** `data` is transferred: exactly width*height*3 bytes. */
  | { type: 'frame'; camera: string; seq: number; receivedAt: number; monoAt: number; data: ArrayBuffer; status: SourceStatus }
  | { type: 'state'; camera: string; status: SourceStatus }
  | { type: 'stopped'; camera: string; status: SourceStatus }
  | { type: 'log'; camera: string; level: LogLevel; obj: Record<string, unknown>; msg: string };
