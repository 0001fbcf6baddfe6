import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CameraHealth } from '../../agent/src/contract/health.ts';
import { type AgentProcess, runAgent } from '../helpers/agent-process.ts';
import { defaultManifest, sample } from '../helpers/paths.ts';
import { useStage } from '../helpers/stage.ts';

/**
 * Street cameras allow only a few RTSP sessions. The real agent, with clips on, against the real RTSP server that
 * reports every session it serves: a camera without an evidence stream is opened once (analysis and clip ring share
 * one connection); a camera with a sub and a main stream opens each once.
 */
describe('one RTSP session per camera stream (real agent, real RTSP server)', () => {
  const clip = sample('car-detection.mp4');
  const stage = useStage({
    prefix: 'jifang-sessions',
    streams: () => ({ '/single': clip, '/sub': clip, '/main': clip }),
    topic: 'jifang/v1/sessions/#',
  });
  let agent: AgentProcess | undefined;
  afterAll(async () => {
    await agent?.stop('SIGKILL');
  });

  it('opens the stream of a camera without evidenceUrl once, and the sub and main streams of the other once each', async () => {
    const dataDir = join(stage.dir, 'data');
    const camera = (id: string, extra: Record<string, unknown>) => ({
      id,
      analysis: { fps: 2, width: 384, height: 216 },
      windows: 'none',
      ...extra,
    });
    agent = runAgent(stage.dir, {
      site: { id: 'sessions', name: 'Sessions', timezone: 'Asia/Shanghai', location: { lat: 31.2, lon: 121.4 }, boxId: 'sessions-box' },
      mqtt: { url: stage.broker.url, healthIntervalSeconds: 1 },
      model: { manifest: defaultManifest },
      dataDir,
      evidence: { clip: { enabled: true, segmentSeconds: 1 } },
      cameras: [
        camera('single', { url: stage.rtsp.url('/single') }),
        camera('dual', { url: stage.rtsp.url('/sub'), evidenceUrl: stage.rtsp.url('/main') }),
      ],
    });
    // Both cameras analysing, and both rings holding finished segments.
    const streaming = new Set<string>();
    await stage.sub
      .waitFor(
        (m) => {
          if (!m.topic.endsWith('/health')) return false;
          const h = JSON.parse(m.payload.toString()) as CameraHealth;
          if (h.state === 'streaming' && h.analysedFrames > 2) streaming.add(h.camera);
          return streaming.size === 2;
        },
        1,
        60_000,
      )
      .catch((err: Error) => {
        throw new Error(`${err.message}\nagent stderr:\n${agent!.stderr()}`);
      });
    const segmentsOf = (cam: string) => {
      const list = join(dataDir, 'ring', cam, 'segments.csv');
      return existsSync(list) ? readFileSync(list, 'utf8').trim().split('\n').filter(Boolean).length : 0;
    };
    const deadline = Date.now() + 30_000;
    while ((segmentsOf('single') < 2 || segmentsOf('dual') < 2) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    expect({ single: segmentsOf('single') >= 2, dual: segmentsOf('dual') >= 2 }).toEqual({ single: true, dual: true });
    expect(stage.rtsp.sessions()).toEqual({ '/single': 1, '/sub': 1, '/main': 1 });

    expect(await agent.stop('SIGTERM')).toBe(0);
    // The ring is unmasked video: it does not outlive the agent.
    expect(existsSync(join(dataDir, 'ring', 'single'))).toBe(false);
  }, 120_000);

  it('leaves no ffmpeg running when the agent is killed with SIGKILL (the evidence ring of a main stream included)', async () => {
    const runDir = mkdtempSync(join(stage.dir, 'kill-'));
    agent = runAgent(runDir, {
      site: { id: 'sessions', name: 'Sessions', timezone: 'Asia/Shanghai', location: { lat: 31.2, lon: 121.4 }, boxId: 'kill-box' },
      mqtt: { url: stage.broker.url, healthIntervalSeconds: 1 },
      model: { manifest: defaultManifest },
      dataDir: join(runDir, 'data'),
      evidence: { clip: { enabled: true, segmentSeconds: 1 } },
      cameras: [
        {
          id: 'dual',
          url: stage.rtsp.url('/sub'),
          evidenceUrl: stage.rtsp.url('/main'),
          analysis: { fps: 2, width: 384, height: 216 },
          windows: 'none',
        },
      ],
    });
    const ffmpegs = () => ffmpegChildren(agent!.proc.pid!);
    const deadline = Date.now() + 60_000;
    while (ffmpegs().length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    const children = ffmpegs();
    expect(children.length).toBe(2);
    await agent.stop('SIGKILL');
    agent = undefined;
    const gone = Date.now() + 10_000;
    while (children.some(alive) && Date.now() < gone) await new Promise((r) => setTimeout(r, 100));
    expect(children.filter(alive)).toEqual([]);
  }, 120_000);
});

function ffmpegChildren(pid: number): number[] {
  try {
    const pids = execFileSync('pgrep', ['-P', String(pid)])
      .toString()
      .trim()
      .split('\n')
      .filter(Boolean)
      .map(Number);
    return pids.filter((p) => readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'ffmpeg');
  } catch {
    return [];
  }
}

/** Running (a zombie waiting to be reaped counts as gone). */
function alive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}
