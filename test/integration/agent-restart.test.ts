import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Alert, alertSchema } from '../../agent/src/contract/alert.ts';
import { type AgentProcess, runAgent } from '../helpers/agent-process.ts';
import type { Received } from '../helpers/mqtt-subscriber.ts';
import { defaultManifest, sample } from '../helpers/paths.ts';
import { useStage } from '../helpers/stage.ts';

/**
 * Stops and crashes of the real agent (`jifang run`) while a taxi stands in a no-parking zone: street.mp4 over the
 * real RTSP server, the real model, real mosquitto. The event must go on across restarts under its id, and end with
 * a reason when the taxi is gone while the agent is down.
 */
const KERB: [number, number][] = [
  [150, 595],
  [430, 595],
  [430, 690],
  [150, 690],
];
const site = 'restart-site';
const eventsTopic = `jifang/v1/${site}/street/events`;

function agentConfig(dir: string, url: string, brokerUrl: string) {
  return {
    site: { id: site, name: 'Restart test', timezone: 'Asia/Shanghai', location: { lat: 31.2304, lon: 121.4737 }, boxId: 'restart-box' },
    mqtt: { url: brokerUrl, healthIntervalSeconds: 2 },
    model: { manifest: defaultManifest },
    dataDir: join(dir, 'data'),
    evidence: { clip: { enabled: false } },
    events: { stateIntervalSeconds: 1, restoreGraceSeconds: 20 },
    cameras: [
      {
        id: 'street',
        name: 'Street',
        url,
        analysis: { fps: 2, width: 1440, height: 730 },
        windows: 'none',
        zones: [{ id: 'kerb', units: 'pixels', polygon: KERB, rules: [{ id: 'no-parking', type: 'illegal_parking', dwellSeconds: 5 }] }],
      },
    ],
  };
}

/** Wall-clock times read off the monotonic clock differ by the clocks' offset, which wobbles by milliseconds per frame. */
const sameMoment = (a: string, b: string) => Math.abs(Date.parse(a) - Date.parse(b)) < 1000;
const alertOf = (m: Received): Alert => alertSchema.parse(JSON.parse(m.payload.toString()));

describe('an open event across stops and crashes of the agent (real RTSP, model, mosquitto)', () => {
  const stage = useStage({
    prefix: 'jifang-restart',
    // The same street with the taxi painted over: the taxi left while the agent was down.
    streams: (dir) => {
      const empty = join(dir, 'taxi-gone.mp4');
      execFileSync('ffmpeg', [
        ...['-hide_banner', '-loglevel', 'error', '-loop', '1', '-framerate', '2', '-t', '120', '-i', sample('street.png')],
        ...['-vf', 'crop=1440:730:0:0,drawbox=x=100:y=440:w=360:h=210:color=gray:t=fill'],
        ...['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '4', '-pix_fmt', 'yuv420p', '-y', empty],
      ]);
      return { '/street': sample('street.mp4'), '/taxi-gone': empty };
    },
    topic: `jifang/v1/${site}/#`,
    setupTimeoutMs: 400_000,
  });
  let agent: AgentProcess | undefined;
  afterEach(async () => {
    await agent?.stop('SIGKILL');
    agent = undefined;
  });

  it('continues the illegal_parking event after SIGTERM and after SIGKILL; ends it as not seen when the taxi left meanwhile', async () => {
    const runDir = mkdtempSync(join(stage.dir, 'run-'));
    const events = () => stage.sub.messages.filter((m) => m.topic === eventsTopic).map(alertOf);
    const explain = (err: Error) =>
      new Error(
        `${err.message.slice(0, 300)}\nevents:\n${events()
          .map((a) => `${a.id} ${a.state} seq ${a.seq} ${a.reason ?? ''}`)
          .join('\n')}\nagent output (tail):\n${agent?.lines.slice(-30).join('\n')}\n${agent?.stderr().slice(-3000)}`,
      );
    const start = (mount: string) => (agent = runAgent(runDir, agentConfig(runDir, stage.rtsp.url(mount), stage.broker.url)));

    start('/street');
    const [first] = await stage.sub
      .waitFor((m) => m.topic === eventsTopic && alertOf(m).state === 'started', 1, 240_000)
      .catch((e: Error) => Promise.reject(explain(e)));
    const started = alertOf(first);
    // Private like the rest of the data: the open events name places and times.
    const stateFile = join(runDir, 'data', 'events', 'open-events.json');
    await new Promise((r) => setTimeout(r, 2_500));
    expect(statSync(stateFile).mode & 0o777).toBe(0o600);

    const continued = async (after: number) => {
      const [m] = await stage.sub
        .waitFor(
          (x) => {
            if (x.topic !== eventsTopic) return false;
            const a = alertOf(x);
            return a.id === started.id && a.seq > after && /continued after the agent restarted/.test(a.reason ?? '');
          },
          1,
          240_000,
        )
        .catch((e: Error) => Promise.reject(explain(e)));
      return alertOf(m);
    };

    // A clean stop, then a start: the event goes on.
    expect(await agent!.stop('SIGTERM')).toBe(0);
    const lastBeforeStop = Math.max(...events().map((a) => a.seq));
    start('/street');
    const afterStop = await continued(lastBeforeStop);
    expect(afterStop.state).toBe('updated');
    expect(sameMoment(afterStop.startedAt, started.startedAt)).toBe(true);
    expect(afterStop.seq).toBe(lastBeforeStop + 1);
    expect(afterStop.dwellSeconds).toBeGreaterThan(started.dwellSeconds);
    // Its evidence is the event's own, carried over.
    expect(afterStop.evidence.snapshot?.sha256).toBe(started.evidence.snapshot?.sha256);

    // A crash: only the periodic and per-alert saves survive.
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await agent!.stop('SIGKILL')).toBe('SIGKILL');
    const lastBeforeKill = Math.max(...events().map((a) => a.seq));
    // A kill between an alert and the file's next write (a window of milliseconds) leaves the file one alert behind
    // what was sent: made so here. The restarted agent must go on after the last seq sent, not send it again.
    const saved = JSON.parse(readFileSync(stateFile, 'utf8')) as { cameras: Record<string, { event: { nextSeq: number } }[]> };
    for (const e of Object.values(saved.cameras).flat()) e.event.nextSeq = lastBeforeKill;
    writeFileSync(stateFile, JSON.stringify(saved));
    start('/street');
    const afterKill = await continued(lastBeforeKill);
    expect(afterKill.state).toBe('updated');
    expect(sameMoment(afterKill.startedAt, started.startedAt)).toBe(true);
    expect(afterKill.seq).toBeGreaterThan(lastBeforeKill);

    // The taxi leaves while the agent is down: the next run ends the event with the reason, when it was last seen.
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await agent!.stop('SIGTERM')).toBe(0);
    const stoppedAt = Date.now();
    const lastPublished = Math.max(...events().map((a) => Date.parse(a.observedAt)));
    start('/taxi-gone');
    const [endMsg] = await stage.sub
      .waitFor((m) => m.topic === eventsTopic && alertOf(m).state === 'ended', 1, 240_000)
      .catch((e: Error) => Promise.reject(explain(e)));
    const ended = alertOf(endMsg);
    expect(ended.id).toBe(started.id);
    expect(ended.reason).toMatch(/^not_seen_after_restart: not seen at its place within 20 s after the agent restarted/);
    // When it was last seen: after the last update sent (sightings between updates count), before the agent stopped.
    // Wall times are read through each frame's offset to the monotonic clock, which drifts by a millisecond or so.
    expect(Date.parse(ended.endedAt!)).toBeGreaterThanOrEqual(lastPublished - 5);
    expect(Date.parse(ended.endedAt!)).toBeLessThanOrEqual(stoppedAt);
    expect(sameMoment(ended.startedAt, started.startedAt)).toBe(true);

    // One violation, one event: a single `started`, and every seq of it once (a duplicate at QoS 1 is the same message).
    const all = events();
    expect(all.filter((a) => a.state === 'started').map((a) => a.id)).toEqual([started.id]);
    const bySeq = new Map<number, string>();
    for (const a of all.filter((x) => x.id === started.id)) {
      const body = JSON.stringify({ state: a.state, observedAt: a.observedAt });
      expect(bySeq.get(a.seq) ?? body, `seq ${a.seq} sent twice with different content`).toBe(body);
      bySeq.set(a.seq, body);
    }
    expect(Math.max(...bySeq.keys())).toBe(ended.seq);
    expect(await agent!.stop('SIGTERM')).toBe(0);
  }, 1_200_000);

  it('refuses a second agent on the same data folder, naming the first; the first goes on, and frees the folder on stop', async () => {
    const runDir = mkdtempSync(join(stage.dir, 'twice-'));
    const config = agentConfig(runDir, stage.rtsp.url('/street'), stage.broker.url);
    agent = runAgent(runDir, config);
    const lock = join(runDir, 'data', 'agent.lock');
    const health = join(runDir, 'data', 'health.json');
    const until = Date.now() + 240_000;
    while (!(existsSync(lock) && existsSync(health))) {
      if (Date.now() > until || agent.proc.exitCode !== null)
        throw new Error(`the first agent did not start:\n${agent.stderr().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const healthBefore = statSync(health).mtimeMs;

    // The same config from another folder, as an installer trying it by hand beside the running service would.
    const secondDir = mkdtempSync(join(stage.dir, 'second-'));
    const second = runAgent(secondDir, config);
    const exited = once(second.proc, 'exit').then(([c]) => c as number | null);
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('still running after 60 s'), 60_000))]);
    await second.stop('SIGKILL');
    expect(code, second.stderr().slice(-2000)).toBe(1);
    const folder = join(runDir, 'data').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(second.stderr()).toMatch(
      new RegExp(`${folder}: this data folder is in use by another jifang agent \\(pid ${agent.proc.pid}, running since `),
    );

    // The first agent kept its folder: still running, still writing its health.
    expect(agent.proc.exitCode).toBeNull();
    const healthUntil = Date.now() + 60_000;
    while (statSync(health).mtimeMs === healthBefore) {
      if (Date.now() > healthUntil) throw new Error('the first agent stopped writing its health after the second was refused');
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(JSON.parse(readFileSync(lock, 'utf8'))).toMatchObject({ pid: agent.proc.pid });
    expect(await agent.stop('SIGTERM')).toBe(0);
    expect(existsSync(lock)).toBe(false);
  }, 600_000);
});
