import { Counter, Gauge, type Registry } from 'prom-client';
import type { CameraHealth } from '../contract/health.ts';
import { streamStateSchema } from '../contract/stream-state.ts';

/**
 * Per-camera health as Prometheus series, read from `getHealth` at scrape time (labels are whatever cameras the
 * health list holds, so cameras added or removed at runtime appear and disappear).
 */
export function registerHealthMetrics(registry: Registry, getHealth: () => readonly CameraHealth[]): void {
  const gauge = (name: string, help: string, value: (h: CameraHealth) => number | null) =>
    new Gauge({
      name,
      help,
      labelNames: ['camera'],
      registers: [registry],
      collect() {
        this.reset();
        for (const h of getHealth()) {
          const v = value(h);
          if (v !== null) this.set({ camera: h.camera }, v);
        }
      },
    });
  gauge('jifang_camera_up', '1 while the camera is streaming, else 0', (h) => (h.state === 'streaming' ? 1 : 0));
  gauge('jifang_camera_target_fps', 'Configured analysis rate', (h) => h.targetFps);
  gauge('jifang_camera_analysed_fps', 'Frames analysed per second over the last 10 s', (h) => h.analysedFps);
  gauge('jifang_camera_last_frame_age_seconds', 'Seconds since the last frame arrived', (h) => h.lastFrameAgeSeconds);
  new Gauge({
    name: 'jifang_camera_state',
    help: 'Stream state: 1 for the current state, 0 for the others',
    labelNames: ['camera', 'state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const h of getHealth())
        for (const s of streamStateSchema.options) this.set({ camera: h.camera, state: s }, h.state === s ? 1 : 0);
    },
  });
  new Counter({
    name: 'jifang_camera_reconnects_total',
    help: 'ffmpeg restarts after the first start',
    labelNames: ['camera'],
    registers: [registry],
    collect() {
      this.reset();
      for (const h of getHealth()) this.inc({ camera: h.camera }, h.reconnects);
    },
  });
}
