import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { type Mosquitto, startMosquitto } from './mosquitto.ts';
import { type Subscriber, subscribe } from './mqtt-subscriber.ts';
import { type RtspServer, startRtspServer } from './rtsp-server.ts';

/** The real parts around an agent under test: a scratch folder, an RTSP server, mosquitto and a subscriber. */
export interface Stage {
  dir: string;
  rtsp: RtspServer;
  broker: Mosquitto;
  sub: Subscriber;
}

export interface StageOptions {
  /** Prefix of the scratch folder's name. */
  prefix: string;
  /** What the RTSP server serves, by path; made in the scratch folder first when footage has to be cut. */
  streams: (dir: string) => Record<string, string>;
  /** What the subscriber listens to. */
  topic: string;
  /** For `streams` on a busy machine (ffmpeg encoding footage). */
  setupTimeoutMs?: number;
}

/**
 * Starts the stage before the file's tests and takes it down after them. Its fields are set once `beforeAll` has run.
 * Hooks registered after this call (stopping the agent) run before the stage is taken down.
 */
export function useStage(opts: StageOptions): Stage {
  const stage = {} as Stage;
  beforeAll(async () => {
    stage.dir = mkdtempSync(join(tmpdir(), `${opts.prefix}-`));
    stage.rtsp = await startRtspServer(opts.streams(stage.dir));
    stage.broker = await startMosquitto();
    stage.sub = await subscribe(stage.broker.url, opts.topic);
  }, opts.setupTimeoutMs ?? 60_000);
  afterAll(async () => {
    await stage.sub?.close();
    await stage.broker?.stop();
    await stage.rtsp?.stop();
    if (stage.dir) rmSync(stage.dir, { recursive: true, force: true });
  });
  return stage;
}
