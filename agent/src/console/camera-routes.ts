import sharp from 'sharp';
import type { CameraConfig } from '../config/schema.ts';
import { redact } from '../core/redact.ts';
import { kindOfType } from '../rules/kinds/index.ts';
import { HttpError } from '../web/http-error.ts';
import type { WebContext } from '../web/server.ts';
import type { ConsoleRuntime } from './live.ts';
import type { HealthView } from './wire.ts';

/** The running camera `id`, or 404. */
export function runningCamera(runtime: ConsoleRuntime, id: string): CameraConfig {
  const cam = runtime.config().cameras.find((c) => c.id === id);
  if (!cam) throw new HttpError(404, `unknown camera "${id}"`);
  return cam;
}

/** GET /api/overview: every camera with its health; source URLs without their passwords. */
export const overview = (runtime: ConsoleRuntime) => (c: WebContext) => {
  const health = new Map(runtime.health().map((h) => [h.camera, h]));
  c.json(200, {
    cameras: runtime.config().cameras.map((cam) => ({
      id: cam.id,
      name: cam.name,
      source: redact(cam.url),
      analysis: cam.analysis,
      health: health.get(cam.id),
    })),
  });
};

/** GET /api/health: every camera's health with its name, and the box's broker link, outbox and disk (the Health page). */
export const healthPage = (runtime: ConsoleRuntime) => async (c: WebContext) => {
  const names = new Map(runtime.config().cameras.map((cam) => [cam.id, cam.name]));
  const view: HealthView = {
    at: new Date().toISOString(),
    cameras: runtime.health().map((h) => ({ ...h, name: names.get(h.camera) })),
    box: await runtime.box(),
  };
  c.json(200, view);
};

/** GET /api/cameras/:id/live: the latest frame's facts (each rule with its kind's verb) and the kept picture's number. */
export const liveFacts = (runtime: ConsoleRuntime) => (c: WebContext) => {
  runningCamera(runtime, c.params.id);
  const live = runtime.live(c.params.id);
  c.json(
    200,
    live
      ? {
          ...live.facts,
          rules: live.facts.rules.map((r) => ({ ...r, verb: kindOfType(r.rule.type).words.verb })),
          imageSeq: live.image?.seq ?? null,
          imageAt: live.image?.at ?? null,
          now: Date.now(),
        }
      : { camera: c.params.id, seq: null, now: Date.now() },
  );
};

/** GET /api/cameras/:id/frame.jpg: the kept picture as JPEG, encoded once per frame whoever watches. */
export function frameJpeg(runtime: ConsoleRuntime): (c: WebContext) => Promise<void> {
  const cache = new Map<string, { seq: number; jpeg: Buffer }>();
  return async (c) => {
    runningCamera(runtime, c.params.id);
    const img = runtime.live(c.params.id)?.image;
    if (!img) throw new HttpError(404, 'no analysed frame yet: try again in a second');
    let cached = cache.get(c.params.id);
    if (cached?.seq !== img.seq) {
      const { data, width, height } = img.image;
      cached = {
        seq: img.seq,
        jpeg: await sharp(data, { raw: { width, height, channels: 3 } })
          .jpeg({ quality: 75 })
          .toBuffer(),
      };
      cache.set(c.params.id, cached);
    }
    c.send(200, 'image/jpeg', cached.jpeg, { 'X-Frame-Seq': String(img.seq), 'Cache-Control': 'private, max-age=60' });
  };
}
