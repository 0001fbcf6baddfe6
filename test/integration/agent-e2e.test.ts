import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { alertSchema, type Alert } from '../../agent/src/alert/schema.ts';
import { commandResultSchema } from '../../agent/src/commands/schema.ts';
import { statusSchema } from '../../agent/src/health/schema.ts';
import { runAgent, type AgentProcess } from '../helpers/agent-process.ts';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.ts';
import { subscribe, type Received, type Subscriber } from '../helpers/mqtt-subscriber.ts';
import { defaultManifest, sample } from '../helpers/paths.ts';
import { startRtspServer, type RtspServer } from '../helpers/rtsp-server.ts';

/**
 * The whole agent as a user runs it (`jifang run config.yaml`), against a real RTSP server and a real mosquitto:
 * street.png as a live camera, the real model, an illegal_parking zone over the parked taxi.
 */
const KERB: [number, number][] = [
  [150, 595],
  [430, 595],
  [430, 690],
  [150, 690],
];
const site = 'e2e-site';

function agentConfig(dir: string, url: string, brokerUrl: string, rule: Record<string, unknown>) {
  return {
    site: { id: site, name: 'End-to-end test', timezone: 'Asia/Shanghai', location: { lat: 31.2304, lon: 121.4737 }, boxId: 'e2e-box' },
    mqtt: { url: brokerUrl, healthIntervalSeconds: 2 },
    model: { manifest: defaultManifest },
    dataDir: join(dir, 'data'),
    evidence: { clip: { enabled: false } },
    cameras: [
      {
        id: 'street',
        name: 'Street',
        url,
        analysis: { fps: 2, width: 1440, height: 730 },
        windows: 'none',
        zones: [{ id: 'kerb', units: 'pixels', polygon: KERB, rules: [{ id: 'no-parking', type: 'illegal_parking', ...rule }] }],
      },
    ],
  };
}

/** Polls `dir` (recursively) until an `event.json` mentions `pattern`; returns that listing. */
async function waitForFile(dir: string, pattern: RegExp, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (readdirSync(dir, { recursive: true }) as string[])
      .filter((f) => f.endsWith('event.json'))
      .map((f) => readFileSync(join(dir, f), 'utf8'))
      .find((t) => pattern.test(t));
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no event.json in ${dir} matches ${pattern} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const json = (m: Received) => JSON.parse(m.payload.toString()) as unknown;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const childPids = (pid: number): number[] => {
  try {
    return execFileSync('pgrep', ['-P', String(pid)])
      .toString()
      .trim()
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
};
/** Running (a zombie waiting for its new parent to reap it counts as gone). */
const alive = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
};

describe('jifang run, end to end over RTSP and MQTT', () => {
  let dir: string;
  let rtsp: RtspServer;
  let broker: Mosquitto;
  let sub: Subscriber;
  let agent: AgentProcess | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jifang-e2e-'));
    // 25 s of the street with its taxi, then 40 s of the same street with the taxi gone (painted over).
    const gone = join(dir, 'taxi-leaves.mp4');
    execFileSync('ffmpeg', [
      '-hide_banner',
      '-loglevel',
      'error',
      '-loop',
      '1',
      '-framerate',
      '5',
      '-t',
      '65',
      '-i',
      sample('street.png'),
      '-vf',
      "crop=1440:730:0:0,drawbox=x=100:y=440:w=360:h=210:color=gray:t=fill:enable='gte(t,25)'",
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-tune',
      'stillimage',
      '-g',
      '10',
      '-pix_fmt',
      'yuv420p',
      '-y',
      gone,
    ]);
    rtsp = await startRtspServer({ '/street': sample('street.mp4'), '/taxi-leaves': gone });
    broker = await startMosquitto();
    sub = await subscribe(broker.url, `jifang/v1/${site}/#`);
  });
  afterEach(async () => {
    await agent?.stop('SIGKILL');
    agent = undefined;
  });
  afterAll(async () => {
    await sub?.close();
    await broker?.stop();
    await rtsp?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('publishes a schema-valid illegal_parking alert with its snapshot, and shuts down cleanly on SIGTERM', async () => {
    const runDir = mkdtempSync(join(dir, 'run-'));
    agent = runAgent(runDir, agentConfig(runDir, rtsp.url('/street'), broker.url, { dwellSeconds: 5 }));
    const eventsTopic = `jifang/v1/${site}/street/events`;

    const [online] = await sub.waitFor((m) => m.topic === `jifang/v1/${site}/status` && (json(m) as { online: boolean }).online, 1, 30_000);
    expect(statusSchema.parse(json(online))).toMatchObject({
      online: true,
      boxId: 'e2e-box',
      location: { lat: 31.2304, lon: 121.4737 },
      cameras: [{ id: 'street', location: { lat: 31.2304, lon: 121.4737 } }],
    });

    const [msg] = await sub
      .waitFor((m) => m.topic === eventsTopic, 1, 60_000)
      .catch((err: Error) => {
        throw new Error(`${err.message}\nagent stderr:\n${agent!.stderr()}`);
      });
    const alert: Alert = alertSchema.parse(json(msg));
    expect(alert).toMatchObject({ type: 'illegal_parking', state: 'started', site, camera: 'street', zone: 'kerb', seq: 0 });
    // test/integration/built-e2e.test.ts runs this file with JIFANG_RUN_FROM=dist: the built JavaScript, not tsx.
    if (process.env.JIFANG_RUN_FROM)
      expect(agent.stderr()).toContain(process.env.JIFANG_RUN_FROM === 'dist' ? '(built JavaScript, Node' : '(TypeScript sources, Node');
    expect(alert.dwellSeconds).toBeGreaterThanOrEqual(5);
    // What it is in the city systems' words and codes, from the event catalogue.
    expect(alert.category).toMatchObject({
      id: 'illegal_parking',
      name: '机动车乱停放',
      legacyCode: '04-09',
      dahuaCode: '0x24F',
      catalogueVersion: '2026.12-1',
    });
    expect(alert.objects.map((o) => o.label)).toEqual(['car']);
    // The taxi: x 118–437, y 468–624 of the 1440×730 frame.
    const box = alert.objects[0].box;
    expect(box.x * 1440).toBeGreaterThan(90);
    expect((box.x + box.width) * 1440).toBeLessThan(470);
    expect((box.y + box.height) * 730).toBeGreaterThan(595);
    expect(alert.model).toEqual({ name: 'picodet_s_416_coco', sha256: 'cdab77bdde16e4f76bec734c4e5791801d1739e4c7ec1995e0e110e04300d0c2' });
    expect(alert.rule).toMatchObject({ id: 'no-parking', type: 'illegal_parking', parameters: { dwellSeconds: 5 } });
    expect(alert.agent.boxId).toBe('e2e-box');
    expect(Buffer.from(alert.evidence.thumbnail!.base64, 'base64').length).toBeLessThanOrEqual(20_000);

    const [snap] = await sub.waitFor((m) => m.topic === alert.evidence.snapshot!.topic, 1, 10_000);
    expect(sha256(snap.payload)).toBe(alert.evidence.snapshot!.sha256);
    expect(snap.payload.subarray(0, 2).toString('hex')).toBe('ffd8');

    // A command center that connects later still learns the box is online: the status is retained.
    const late = await subscribe(broker.url, `jifang/v1/${site}/status`);
    const [retained] = await late.waitFor(() => true, 1, 5_000);
    await late.close();
    expect(retained.packet.retain).toBe(true);
    expect((json(retained) as { online: boolean }).online).toBe(true);

    // The console shows the same alert as one readable line.
    expect(agent.lines.some((l) => l.includes('STARTED illegal_parking') && l.includes(alert.id))).toBe(true);

    // The operator judges it a false positive: the event ends at once, the frame is kept (unannotated) for
    // retraining, and the same car does not raise a new event.
    await sub.client.publishAsync(
      `jifang/v1/${site}/cmd/event`,
      JSON.stringify({ eventId: alert.id, action: 'false_positive', by: 'operator-3', requestId: 'fp-1' }),
      { qos: 1 },
    );
    const [fpReply] = await sub.waitFor(
      (m) => m.topic === `jifang/v1/${site}/cmd-result` && (json(m) as { requestId?: string }).requestId === 'fp-1',
      1,
      10_000,
    );
    expect(commandResultSchema.parse(json(fpReply)).ok).toBe(true);
    const [endedMsg] = await sub.waitFor((m) => m.topic === eventsTopic && (json(m) as Alert).state === 'ended', 1, 10_000);
    expect(alertSchema.parse(json(endedMsg))).toMatchObject({ id: alert.id, operator: { action: 'false_positive', by: 'operator-3' } });
    const hardNegative = await waitForFile(join(runDir, 'data', 'evidence'), /hard_negative/, 15_000);
    expect(hardNegative).toContain(alert.id);
    await new Promise((r) => setTimeout(r, 8_000));
    const later = sub.messages.filter((m) => m.topic === eventsTopic).map((m) => json(m) as Alert);
    expect(later.filter((a) => a.state === 'started').map((a) => a.id)).toEqual([alert.id]);

    const children = childPids(agent.proc.pid!);
    expect(children.length).toBeGreaterThan(0);
    const before = sub.messages.length;
    expect(await agent.stop('SIGTERM')).toBe(0);
    const offline = sub.messages
      .slice(before)
      .filter((m) => m.topic === `jifang/v1/${site}/status`)
      .map((m) => json(m) as { online: boolean });
    expect(offline.at(-1)?.online).toBe(false);
    const survivors = children.filter(alive).map((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      } catch {
        return String(pid);
      }
    });
    expect(survivors, 'child processes still running after shutdown').toEqual([]);
  }, 120_000);

  it('after dispatch, reports the violation cleared with an "after" snapshot once the taxi has left; answers snapshot and reload commands', async () => {
    const runDir = mkdtempSync(join(dir, 'run-'));
    agent = runAgent(runDir, agentConfig(runDir, rtsp.url('/taxi-leaves'), broker.url, { dwellSeconds: 5, endAfterSeconds: 4 }));
    const eventsTopic = `jifang/v1/${site}/street/events`;
    const from = sub.messages.length;
    const fresh = (pred: (m: Received) => boolean) => (m: Received) => sub.messages.indexOf(m) >= from && pred(m);

    const [startedMsg] = await sub.waitFor(
      fresh((m) => m.topic === eventsTopic && (json(m) as Alert).state === 'started'),
      1,
      60_000,
    );
    const started = alertSchema.parse(json(startedMsg));

    await sub.client.publishAsync(
      `jifang/v1/${site}/cmd/event`,
      JSON.stringify({ eventId: started.id, action: 'dispatch', by: 'operator-7', unit: 'patrol-12', requestId: 'r-1' }),
      { qos: 1 },
    );
    const [reply] = await sub.waitFor(
      fresh((m) => m.topic === `jifang/v1/${site}/cmd-result` && (json(m) as { requestId?: string }).requestId === 'r-1'),
      1,
      10_000,
    );
    expect(commandResultSchema.parse(json(reply))).toMatchObject({ ok: true, command: 'event' });

    const [clearedMsg] = await sub
      .waitFor(
        fresh((m) => m.topic === eventsTopic && (json(m) as Alert).state === 'cleared'),
        1,
        60_000,
      )
      .catch((err: Error) => {
        const events = sub.messages
          .slice(from)
          .filter((m) => m.topic === eventsTopic)
          .map((m) => {
            const a = json(m) as Alert;
            return `${a.id} ${a.state} ${a.seq} ${a.reason ?? ''} ${JSON.stringify(a.objects.map((o) => [o.label, o.trackId, o.box]))}`;
          });
        throw new Error(`${err.message.slice(0, 200)}\nevents:\n${events.join('\n')}\nstdout:\n${agent!.lines.join('\n')}`);
      });
    const cleared = alertSchema.parse(json(clearedMsg));
    expect(cleared.id).toBe(started.id);
    expect(cleared.seq).toBeGreaterThan(started.seq);
    expect(cleared.operator).toMatchObject({ action: 'dispatch', by: 'operator-7', unit: 'patrol-12' });
    expect(cleared.evidence.snapshot!.sha256).not.toBe(started.evidence.snapshot!.sha256);
    const [after] = await sub.waitFor(
      (m) => m.topic === cleared.evidence.snapshot!.topic && sha256(m.payload) === cleared.evidence.snapshot!.sha256,
      1,
      10_000,
    );
    expect(after.payload.length).toBe(cleared.evidence.snapshot!.bytes);

    // An operator asks for a fresh frame of the camera.
    const ask = async (command: string, body: object, requestId: string) => {
      await sub.client.publishAsync(`jifang/v1/${site}/cmd/${command}`, JSON.stringify({ ...body, requestId }), { qos: 1 });
      const [r] = await sub.waitFor(
        fresh((m) => m.topic === `jifang/v1/${site}/cmd-result` && (json(m) as { requestId?: string }).requestId === requestId),
        1,
        20_000,
      );
      return commandResultSchema.parse(json(r));
    };
    const shot = await ask('snapshot', { camera: 'street' }, 's-1');
    expect(shot.ok).toBe(true);
    const [frame] = await sub.waitFor(
      fresh((m) => m.topic === `jifang/v1/${site}/street/snapshot`),
      1,
      10_000,
    );
    expect(sha256(frame.payload)).toBe(shot.detail?.sha256);
    expect((await ask('snapshot', { camera: 'nowhere' }, 's-2')).error).toMatch(/nowhere/);

    // A reload with a broken config is refused, names the problem and keeps the running config; a good one applies.
    const config = agentConfig(runDir, rtsp.url('/taxi-leaves'), broker.url, { dwellSeconds: 5, endAfterSeconds: 4 });
    const broken = structuredClone(config);
    broken.cameras[0].zones[0].polygon = KERB.slice(0, 2);
    writeFileSync(join(runDir, 'config.yaml'), stringify(broken));
    const refused = await ask('reload', {}, 'r-2');
    expect(refused.ok).toBe(false);
    expect(refused.error).toContain('cameras[0].zones[0].polygon: expected at least 3 points');
    expect(refused.error).toContain('running one is kept');
    const changed = structuredClone(config);
    Object.assign(changed.cameras[0].zones[0].rules[0], { dwellSeconds: 30 });
    writeFileSync(join(runDir, 'config.yaml'), stringify(changed));
    const applied = await ask('reload', {}, 'r-3');
    expect(applied).toMatchObject({ ok: true, detail: { restartedCameras: ['street'] } });

    expect(await agent.stop('SIGTERM')).toBe(0);
  }, 150_000);
});
