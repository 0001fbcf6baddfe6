import type { Registry } from 'prom-client';
import type { CameraHealth } from '../contract/health.ts';
import { streamStateSchema } from '../contract/stream-state.ts';
import { scrapedCounter, scrapedGauge } from '../core/metrics.ts';

/**
 * Per-camera health as Prometheus series, read from `getHealth` at scrape time (labels are whatever cameras the
 * health list holds, so cameras added or removed at runtime appear and disappear).
 */
export function registerHealthMetrics(registry: Registry, getHealth: () => readonly CameraHealth[]): void {
  const gauge = (name: string, help: string, value: (h: CameraHealth) => number | null) =>
    scrapedGauge(registry, { name, help, labelNames: ['camera'] }, () =>
      getHealth().flatMap((h) => {
        const v = value(h);
        return v === null ? [] : [[{ camera: h.camera }, v] as const];
      }),
    );
  gauge('jifang_camera_up', '1 while the camera is streaming, else 0', (h) => (h.state === 'streaming' ? 1 : 0));
  gauge('jifang_camera_target_fps', 'Configured analysis rate', (h) => h.targetFps);
  gauge('jifang_camera_analysed_fps', 'Frames analysed per second over the last 10 s', (h) => h.analysedFps);
  gauge('jifang_camera_last_frame_age_seconds', 'Seconds since the last frame arrived', (h) => h.lastFrameAgeSeconds);
  scrapedGauge(
    registry,
    { name: 'jifang_camera_state', help: 'Stream state: 1 for the current state, 0 for the others', labelNames: ['camera', 'state'] },
    () =>
      getHealth().flatMap((h) =>
        streamStateSchema.options.map((state) => [{ camera: h.camera, state }, h.state === state ? 1 : 0] as const),
      ),
  );
  scrapedCounter(
    registry,
    { name: 'jifang_camera_reconnects_total', help: 'ffmpeg restarts after the first start', labelNames: ['camera'] },
    () => getHealth().map((h) => [{ camera: h.camera }, h.reconnects] as const),
  );
}
