import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type Alert, alertSchema } from '../../agent/src/contract/alert.ts';
import { commandResultSchema } from '../../agent/src/contract/commands.ts';
import { type CameraHealth, cameraHealthSchema, statusSchema } from '../../agent/src/contract/health.ts';
import { type DatasetManifest, datasetManifestSchema } from '../../agent/src/evidence/dataset-manifest.ts';
import { type AgentProcess, runAgent } from '../helpers/agent-process.ts';
import { type Received, subscribe } from '../helpers/mqtt-subscriber.ts';
import { defaultManifest, projectRoot, sample } from '../helpers/paths.ts';
import { freePort } from '../helpers/ports.ts';
import { useStage } from '../helpers/stage.ts';

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

/** The right-hand pavement with the umbrella stall and its people (see rules-street.test.ts). */
const PAVEMENT: [number, number][] = [
  [880, 390],
  [1440, 390],
  [1440, 640],
  [880, 640],
];
/** Privacy mask over the buildings top left (normalised): 0..360 × 0..219 px of the 1440×730 frame. */
const MASK: [number, number][] = [
  [0, 0],
  [0.25, 0],
  [0.25, 0.3],
  [0, 0.3],
];
/** The static-object camera's pavement (720×365), as in rules-static-object.test.ts. */
const SQUARE_PAVEMENT: [number, number][] = [
  [250, 270],
  [480, 270],
  [480, 365],
  [250, 365],
];

/**
 * The run whose operator decisions become training data: the street camera with a privacy mask, the kerb's parking
 * rule and a vending rule over the stall; a second camera whose view switches to IR (grey) now and then, watched by
 * static_object, whose scene model re-references itself on each switch; /healthz on a local port.
 */
function decisionsConfig(dir: string, streetUrl: string, squareUrl: string, brokerUrl: string, httpPort: number, parkingDwell = 5) {
  const base = agentConfig(dir, streetUrl, brokerUrl, { dwellSeconds: parkingDwell, endAfterSeconds: 4 });
  const [street] = base.cameras;
  return {
    ...base,
    http: { port: httpPort, host: '127.0.0.1' },
    cameras: [
      {
        ...street,
        privacyMasks: [MASK],
        windows: [{ x: 880, y: 390, width: 560, height: 250 }],
        zones: [
          ...street.zones,
          {
            id: 'pavement',
            units: 'pixels',
            polygon: PAVEMENT,
            rules: [{ id: 'vending', type: 'street_vending', dwellSeconds: 5, minScore: 0.35 }],
          },
        ],
      },
      {
        id: 'square',
        url: squareUrl,
        analysis: { fps: 2, width: 720, height: 365 },
        windows: 'none',
        zones: [
          {
            id: 'pavement',
            units: 'pixels',
            polygon: SQUARE_PAVEMENT,
            rules: [{ id: 'obstruction', type: 'static_object', dwellSeconds: 15 }],
          },
        ],
      },
    ],
  };
}

/** street.png looped for `seconds` at `fps` through the ffmpeg filter `vf`, H.264 for the RTSP server. */
function stillClip(out: string, seconds: number, vf: string, fps = 5): void {
  execFileSync('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-loop', '1', '-framerate', String(fps), '-t', String(seconds), '-i', sample('street.png')],
    ...['-vf', vf, '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'stillimage', '-g', '10', '-pix_fmt', 'yuv420p', '-y', out],
  ]);
}

/** `jifang dataset export …` as a user runs it. */
function datasetExport(args: string[]) {
  const r = spawnSync(process.execPath, [join(projectRoot, 'bin', 'jifang.mjs'), 'dataset', 'export', ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Mean of the RGB values of an image inside a pixel rectangle. */
async function meanIn(file: string, r: { x1: number; y1: number; x2: number; y2: number }): Promise<number> {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  let sum = 0;
  let n = 0;
  for (let y = r.y1; y < r.y2; y++)
    for (let x = r.x1; x < r.x2; x++)
      for (let c = 0; c < 3; c++) {
        sum += data[(y * info.width + x) * 3 + c];
        n++;
      }
  return sum / n;
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

/**
 * `jifang dataset export` on the run's data, both formats: the confirmed event's undrawn frame with the alert's boxes,
 * the false positive as a negative without labels, the privacy mask black, re-export idempotent, a foreign folder refused.
 */
async function checkDatasetExport(runDir: string, ev: { confirmed: string; rejected: string; alertsOf: (id: string) => Alert[] }) {
  const configFile = join(runDir, 'config.yaml');
  const evidenceRoot = join(runDir, 'data', 'evidence');
  const yolo = join(runDir, 'dataset-yolo');
  const first = datasetExport(['--out', yolo, configFile]);
  expect(first.stderr).toBe('');
  expect(first.code).toBe(0);
  expect(first.stdout).toMatch(
    /^dataset: \d+ image\(s\) to .*dataset-yolo \(yolo\): \d+ confirmed with \d+ box\(es\) in \d+ class\(es\), \d+ hard negative/,
  );
  const manifestText = readFileSync(join(yolo, 'manifest.json'), 'utf8');
  const manifest: DatasetManifest = datasetManifestSchema.parse(JSON.parse(manifestText));

  const pos = manifest.images.find((i) => i.eventId === ev.confirmed)!;
  expect(pos, JSON.stringify(manifest.images.map((i) => [i.eventId, i.outcome]))).toMatchObject({
    camera: 'street',
    type: 'illegal_parking',
    category: 'illegal_parking',
    outcome: 'cleared',
    negative: false,
    width: 1440,
    height: 730,
    privacy: 'reapplied',
  });
  const lines = readFileSync(join(yolo, pos.labels!), 'utf8').trimEnd().split('\n');
  const labelled = lines.map((l) => {
    expect(l).toMatch(/^\d+( (0|1|0\.\d+)){4}$/);
    const [cls, ...box] = l.split(' ').map(Number);
    return { label: manifest.classes[cls], box };
  });
  expect(labelled.map((l) => l.label)).toContain('car');
  expect(labelled).toEqual(pos.boxes.map((b) => ({ label: b.label, box: b.box })));
  // The boxes are those of one of the event's alerts (normalised corner and size → centre and size).
  const asYolo = (a: Alert) =>
    a.objects.map((o) => ({ label: o.label, box: [o.box.x + o.box.width / 2, o.box.y + o.box.height / 2, o.box.width, o.box.height] }));
  const same = (a: { label: string; box: number[] }[], b: { label: string; box: number[] }[]) =>
    a.length === b.length && a.every((x, i) => x.label === b[i].label && x.box.every((v, j) => Math.abs(v - b[i].box[j]) < 2e-3));
  const alerts = ev.alertsOf(ev.confirmed).filter((a) => a.state !== 'cleared');
  expect(
    alerts.some((a) => same(asYolo(a), labelled)),
    `labels ${JSON.stringify(labelled)} vs alerts ${JSON.stringify(alerts.map(asYolo))}`,
  ).toBe(true);

  const neg = manifest.images.find((i) => i.eventId === ev.rejected)!;
  expect(neg).toMatchObject({ camera: 'street', type: 'street_vending', outcome: 'false_positive', negative: true, boxes: [] });
  expect(neg.rejected!.map((b) => b.label)).toContain('person');
  expect(readFileSync(join(yolo, neg.labels!), 'utf8')).toBe('');

  for (const img of [pos, neg]) {
    expect(sha256(readFileSync(join(evidenceRoot, img.source)))).toBe(img.sourceSha256);
    // The masked buildings are black; the unmasked ones beside them are not.
    expect(await meanIn(join(yolo, img.file), { x1: 2, y1: 2, x2: 358, y2: 217 })).toBeLessThan(8);
    expect(await meanIn(join(yolo, img.file), { x1: 400, y1: 2, x2: 1000, y2: 217 })).toBeGreaterThan(30);
  }
  // The agent masked the frames when it stored them.
  expect(manifest.counts.unmaskedAtSource).toBe(0);
  expect(readFileSync(join(yolo, 'classes.txt'), 'utf8')).toBe(manifest.classes.map((c) => `${c}\n`).join(''));
  expect(readFileSync(join(yolo, 'data.yaml'), 'utf8')).toContain(`nc: ${manifest.classes.length}`);

  // Again into the same folder: the same files, the same manifest.
  const listing = () => (readdirSync(yolo, { recursive: true }) as string[]).sort();
  const files = listing();
  expect(datasetExport(['--out', yolo, configFile]).code).toBe(0);
  expect(listing()).toEqual(files);
  expect(readFileSync(join(yolo, 'manifest.json'), 'utf8')).toBe(manifestText);
  // Nothing from the future; everything from the last day.
  const future = datasetExport(['--out', join(runDir, 'dataset-none'), '--since', '2099-01-01', configFile]);
  expect(future.stdout).toMatch(/^dataset: 0 image\(s\)/);
  const lastDay = datasetExport(['--out', join(runDir, 'dataset-day'), '--since', '1d', configFile]);
  expect(lastDay.stdout).toMatch(new RegExp(`^dataset: ${manifest.counts.images} image\\(s\\)`));

  // A folder holding something else is refused and left as it was.
  const foreign = join(runDir, 'photos');
  mkdirSync(foreign);
  writeFileSync(join(foreign, 'holiday.jpg'), 'not ours');
  const refused = datasetExport(['--out', foreign, configFile]);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(/photos: not empty and not a dataset this command wrote .*refusing to write into it/);
  expect(readdirSync(foreign)).toEqual(['holiday.jpg']);

  // COCO: one annotations file, the same boxes in pixels, the negative without annotations.
  const coco = join(runDir, 'dataset-coco');
  expect(datasetExport(['--out', coco, '--format', 'coco', configFile]).code).toBe(0);
  const cm = datasetManifestSchema.parse(JSON.parse(readFileSync(join(coco, 'manifest.json'), 'utf8')));
  const ann = JSON.parse(readFileSync(join(coco, 'annotations.json'), 'utf8')) as {
    images: { id: number; file_name: string; width: number; height: number }[];
    annotations: { image_id: number; category_id: number; bbox: number[] }[];
    categories: { id: number; name: string }[];
  };
  expect(existsSync(join(coco, 'labels'))).toBe(false);
  expect(ann.images).toHaveLength(cm.images.length);
  expect(ann.categories.map((c) => c.name)).toEqual(cm.classes);
  const annotationsOf = (file: string) => {
    const img = ann.images.find((i) => `images/${i.file_name}` === file)!;
    expect(existsSync(join(coco, file))).toBe(true);
    return ann.annotations.filter((a) => a.image_id === img.id);
  };
  const cpos = cm.images.find((i) => i.eventId === ev.confirmed)!;
  const pixels = pos.boxes.map((b) => [(b.box[0] - b.box[2] / 2) * 1440, (b.box[1] - b.box[3] / 2) * 730, b.box[2] * 1440, b.box[3] * 730]);
  cpos.boxes.forEach((b, i) => b.box.forEach((v, j) => expect(Math.abs(v - pixels[i][j])).toBeLessThan(0.05)));
  expect(annotationsOf(cpos.file).map((a) => [ann.categories.find((c) => c.id === a.category_id)!.name, a.bbox])).toEqual(
    cpos.boxes.map((b) => [b.label, b.box]),
  );
  expect(annotationsOf(cm.images.find((i) => i.eventId === ev.rejected)!.file)).toEqual([]);
  console.log(
    `dataset export: ${first.stdout.trim()}; coco: ${ann.images.length} images, ${ann.annotations.length} annotations; confirmed ${pos.file} ${JSON.stringify(labelled)}`,
  );
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
  const stage = useStage({
    prefix: 'jifang-e2e',
    streams: (dir) => {
      // 25 s of the street with its taxi, then 40 s of the same street with the taxi gone (painted over).
      const gone = join(dir, 'taxi-leaves.mp4');
      stillClip(gone, 65, "crop=1440:730:0:0,drawbox=x=100:y=440:w=360:h=210:color=gray:t=fill:enable='gte(t,25)'");
      // The square in colour for 15 s, then in IR (grey) for 25 s: a day/night switch the scene model must re-reference on.
      const ir = join(dir, 'square-ir.mp4');
      stillClip(ir, 40, "scale=720:364,hue=s=0:enable='gte(t,15)'", 2);
      return { '/street': sample('street.mp4'), '/taxi-leaves': gone, '/square-ir': ir };
    },
    topic: `jifang/v1/${site}/#`,
    // Two clips to encode on a machine that may be busy.
    setupTimeoutMs: 300_000,
  });
  let agent: AgentProcess | undefined;
  afterEach(async () => {
    await agent?.stop('SIGKILL');
    agent = undefined;
  });

  it('publishes a schema-valid illegal_parking alert with its snapshot, and shuts down cleanly on SIGTERM', async () => {
    const runDir = mkdtempSync(join(stage.dir, 'run-'));
    agent = runAgent(runDir, agentConfig(runDir, stage.rtsp.url('/street'), stage.broker.url, { dwellSeconds: 5 }));
    const eventsTopic = `jifang/v1/${site}/street/events`;

    const [online] = await stage.sub.waitFor(
      (m) => m.topic === `jifang/v1/${site}/status` && (json(m) as { online: boolean }).online,
      1,
      30_000,
    );
    expect(statusSchema.parse(json(online))).toMatchObject({
      online: true,
      boxId: 'e2e-box',
      location: { lat: 31.2304, lon: 121.4737 },
      cameras: [{ id: 'street', location: { lat: 31.2304, lon: 121.4737 } }],
    });

    const [msg] = await stage.sub
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

    const [snap] = await stage.sub.waitFor((m) => m.topic === alert.evidence.snapshot!.topic, 1, 10_000);
    expect(sha256(snap.payload)).toBe(alert.evidence.snapshot!.sha256);
    expect(snap.payload.subarray(0, 2).toString('hex')).toBe('ffd8');

    // A command center that connects later still learns the box is online: the status is retained.
    const late = await subscribe(stage.broker.url, `jifang/v1/${site}/status`);
    const [retained] = await late.waitFor(() => true, 1, 5_000);
    await late.close();
    expect(retained.packet.retain).toBe(true);
    expect((json(retained) as { online: boolean }).online).toBe(true);

    // The console shows the same alert as one readable line.
    expect(agent.lines.some((l) => l.includes('STARTED illegal_parking') && l.includes(alert.id))).toBe(true);

    // The operator judges it a false positive: the event ends at once, the frame is kept (unannotated) for
    // retraining, and the same car does not raise a new event.
    await stage.sub.client.publishAsync(
      `jifang/v1/${site}/cmd/event`,
      JSON.stringify({ eventId: alert.id, action: 'false_positive', by: 'operator-3', requestId: 'fp-1' }),
      { qos: 1 },
    );
    const [fpReply] = await stage.sub.waitFor(
      (m) => m.topic === `jifang/v1/${site}/cmd-result` && (json(m) as { requestId?: string }).requestId === 'fp-1',
      1,
      10_000,
    );
    expect(commandResultSchema.parse(json(fpReply)).ok).toBe(true);
    const [endedMsg] = await stage.sub.waitFor((m) => m.topic === eventsTopic && (json(m) as Alert).state === 'ended', 1, 10_000);
    expect(alertSchema.parse(json(endedMsg))).toMatchObject({ id: alert.id, operator: { action: 'false_positive', by: 'operator-3' } });
    const hardNegative = await waitForFile(join(runDir, 'data', 'evidence'), /hard_negative/, 15_000);
    expect(hardNegative).toContain(alert.id);
    await new Promise((r) => setTimeout(r, 8_000));
    const later = stage.sub.messages.filter((m) => m.topic === eventsTopic).map((m) => json(m) as Alert);
    expect(later.filter((a) => a.state === 'started').map((a) => a.id)).toEqual([alert.id]);

    const children = childPids(agent.proc.pid!);
    expect(children.length).toBeGreaterThan(0);
    const before = stage.sub.messages.length;
    expect(await agent.stop('SIGTERM')).toBe(0);
    const offline = stage.sub.messages
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

  it('after dispatch, reports the violation cleared with an "after" snapshot once the taxi has left; answers snapshot and reload commands; exports the decisions as training data; reports IR re-references in health', async () => {
    const runDir = mkdtempSync(join(stage.dir, 'run-'));
    const httpPort = await freePort();
    const config = (parkingDwell?: number) =>
      decisionsConfig(runDir, stage.rtsp.url('/taxi-leaves'), stage.rtsp.url('/square-ir'), stage.broker.url, httpPort, parkingDwell);
    agent = runAgent(runDir, config());
    const eventsTopic = `jifang/v1/${site}/street/events`;
    const from = stage.sub.messages.length;
    const fresh = (pred: (m: Received) => boolean) => (m: Received) => stage.sub.messages.indexOf(m) >= from && pred(m);

    const [startedMsg] = await stage.sub.waitFor(
      fresh((m) => m.topic === eventsTopic && (json(m) as Alert).type === 'illegal_parking' && (json(m) as Alert).state === 'started'),
      1,
      60_000,
    );
    const started = alertSchema.parse(json(startedMsg));

    await stage.sub.client.publishAsync(
      `jifang/v1/${site}/cmd/event`,
      JSON.stringify({ eventId: started.id, action: 'dispatch', by: 'operator-7', unit: 'patrol-12', requestId: 'r-1' }),
      { qos: 1 },
    );
    const [reply] = await stage.sub.waitFor(
      fresh((m) => m.topic === `jifang/v1/${site}/cmd-result` && (json(m) as { requestId?: string }).requestId === 'r-1'),
      1,
      10_000,
    );
    expect(commandResultSchema.parse(json(reply))).toMatchObject({ ok: true, command: 'event' });

    const [clearedMsg] = await stage.sub
      .waitFor(
        fresh((m) => m.topic === eventsTopic && (json(m) as Alert).state === 'cleared'),
        1,
        60_000,
      )
      .catch((err: Error) => {
        const events = stage.sub.messages
          .slice(from)
          .filter((m) => m.topic === eventsTopic)
          .map((m) => {
            const a = json(m) as Alert;
            return `${a.id} ${a.state} ${a.seq} ${a.reason ?? ''} ${JSON.stringify(a.objects.map((o) => [o.label, o.trackId, o.box]))}`;
          });
        throw new Error(`${err.message.slice(0, 200)}\nevents:\n${events.join('\n')}\nstdout:\n${agent!.lines.join('\n')}`);
      });
    const cleared = alertSchema.parse(json(clearedMsg));

    // The operator judges the stall a false positive: its frame is kept as a hard negative.
    const [vendingMsg] = await stage.sub.waitFor(
      fresh((m) => m.topic === eventsTopic && (json(m) as Alert).type === 'street_vending' && (json(m) as Alert).state === 'started'),
      1,
      60_000,
    );
    const vending = alertSchema.parse(json(vendingMsg));
    await stage.sub.client.publishAsync(
      `jifang/v1/${site}/cmd/event`,
      JSON.stringify({ eventId: vending.id, action: 'false_positive', by: 'operator-7', requestId: 'fp-2' }),
      { qos: 1 },
    );
    await waitForFile(join(runDir, 'data', 'evidence'), new RegExp(`"eventId": "${vending.id}"[\\s\\S]*hard_negative`), 20_000);
    expect(cleared.id).toBe(started.id);
    expect(cleared.seq).toBeGreaterThan(started.seq);
    expect(cleared.operator).toMatchObject({ action: 'dispatch', by: 'operator-7', unit: 'patrol-12' });
    expect(cleared.evidence.snapshot!.sha256).not.toBe(started.evidence.snapshot!.sha256);
    const [after] = await stage.sub.waitFor(
      (m) => m.topic === cleared.evidence.snapshot!.topic && sha256(m.payload) === cleared.evidence.snapshot!.sha256,
      1,
      10_000,
    );
    expect(after.payload.length).toBe(cleared.evidence.snapshot!.bytes);

    // An operator asks for a fresh frame of the camera.
    const ask = async (command: string, body: object, requestId: string) => {
      await stage.sub.client.publishAsync(`jifang/v1/${site}/cmd/${command}`, JSON.stringify({ ...body, requestId }), { qos: 1 });
      const [r] = await stage.sub.waitFor(
        fresh((m) => m.topic === `jifang/v1/${site}/cmd-result` && (json(m) as { requestId?: string }).requestId === requestId),
        1,
        20_000,
      );
      return commandResultSchema.parse(json(r));
    };
    const shot = await ask('snapshot', { camera: 'street' }, 's-1');
    expect(shot.ok).toBe(true);
    const [frame] = await stage.sub.waitFor(
      fresh((m) => m.topic === `jifang/v1/${site}/street/snapshot`),
      1,
      10_000,
    );
    expect(sha256(frame.payload)).toBe(shot.detail?.sha256);
    expect((await ask('snapshot', { camera: 'nowhere' }, 's-2')).error).toMatch(/nowhere/);

    // The IR switch of the square camera: the scene model re-references, and says so in the retained health and /healthz.
    const [squareHealth] = await stage.sub.waitFor(
      (m) => m.topic === `jifang/v1/${site}/square/health` && ((json(m) as CameraHealth).scene?.rereferences ?? 0) >= 1,
      1,
      60_000,
    );
    const scene = cameraHealthSchema.parse(json(squareHealth)).scene!;
    expect(scene.lastRereference).toMatchObject({ reason: 'scene_changed', referenceLost: false });
    expect(Date.now() - Date.parse(scene.lastRereference!.at)).toBeLessThan(120_000);
    const late = await subscribe(stage.broker.url, `jifang/v1/${site}/square/health`);
    const [retained] = await late.waitFor(() => true, 1, 5_000);
    await late.close();
    expect(retained.packet.retain).toBe(true);
    expect((json(retained) as CameraHealth).scene?.rereferences).toBeGreaterThanOrEqual(1);
    const healthz = (await (await fetch(`http://127.0.0.1:${httpPort}/healthz`)).json()) as { cameras: CameraHealth[] };
    const byCamera = new Map(healthz.cameras.map((c) => [c.camera, cameraHealthSchema.parse(c)]));
    expect(byCamera.get('square')?.scene?.rereferences).toBeGreaterThanOrEqual(1);
    // The street camera's stall may be static foreground, so it has a scene model too; its view never switched.
    expect(byCamera.get('street')?.scene).toEqual({ rereferences: 0 });

    // A reload with a broken config is refused, names the problem and keeps the running config; a good one applies.
    const broken = config();
    broken.cameras[0].zones[0].polygon = KERB.slice(0, 2);
    writeFileSync(join(runDir, 'config.yaml'), stringify(broken));
    const refused = await ask('reload', {}, 'r-2');
    expect(refused.ok).toBe(false);
    expect(refused.error).toContain('cameras[0].zones[0].polygon: expected at least 3 points');
    expect(refused.error).toContain('running one is kept');
    writeFileSync(join(runDir, 'config.yaml'), stringify(config(30)));
    const applied = await ask('reload', {}, 'r-3');
    expect(applied).toMatchObject({ ok: true, detail: { reconfiguredCameras: ['street'], restartedCameras: [] } });

    expect(await agent.stop('SIGTERM')).toBe(0);

    const alertsOf = (id: string) =>
      stage.sub.messages
        .slice(from)
        .filter((m) => m.topic === eventsTopic)
        .map((m) => json(m) as Alert)
        .filter((a) => a.id === id);
    await checkDatasetExport(runDir, { confirmed: started.id, rejected: vending.id, alertsOf });
  }, 360_000);
});
