import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlertContext } from '../../../agent/src/alert/build.ts';
import { EventSink, type SinkCamera } from '../../../agent/src/alert/event-sink.ts';
import { type AuditLog, listAuditFiles, openAuditLog } from '../../../agent/src/audit/audit-log.ts';
import type { Alert } from '../../../agent/src/contract/alert.ts';
import type { RgbImage } from '../../../agent/src/core/geometry.ts';
import { sha256Hex } from '../../../agent/src/core/hash.ts';
import { silentLogger } from '../../../agent/src/core/log.ts';
import { evidenceConfigSchema } from '../../../agent/src/evidence/config.ts';
import { type EvidenceCamera, EvidenceService } from '../../../agent/src/evidence/service.ts';
import { PlateVotes } from '../../../agent/src/plate/evidence-reads.ts';
import type { Publisher } from '../../../agent/src/publish/publisher.ts';
import type { SavedEvent } from '../../../agent/src/rules/restore.ts';
import type { ViolationUpdate } from '../../../agent/src/rules/types.ts';
import { OpenEventsFile } from '../../../agent/src/runtime/open-events-file.ts';
import { fakePlateReader } from '../../helpers/fake-plate-reader.ts';
import { sample } from '../../helpers/paths.ts';
import { camera, Sim } from '../rules/sim.ts';
import { box, det } from '../track/scene.ts';

/**
 * The event sink with the real evidence service (snapshots drawn and stored in a temp folder) and the real audit log.
 * The publisher is a fake: the real one needs a broker; this one keeps what reached "the outbox", in order.
 */
function fakePublisher() {
  const published: { alert: Alert; jpeg: Buffer | undefined }[] = [];
  const publisher = {
    topics: { eventSnapshot: (cam: string, id: string) => `jifang/v1/site-1/${cam}/events/${id}/snapshot` },
    publishEvent: async (alert: Alert, jpeg?: Buffer) => {
      published.push({ alert, jpeg });
    },
  } as unknown as Publisher;
  return { publisher, published };
}

const KERB = [
  [0, 0.5],
  [1, 0.5],
  [1, 1],
  [0, 1],
];
const FRAME = { width: 640, height: 360 };
const context: Omit<AlertContext, 'evidence'> = {
  site: { id: 'site-1' },
  camera: { id: 'cam1', name: 'Gate camera', location: { lat: 31.23, lon: 121.47 } },
  model: { name: 'picodet_s_416_coco', sha256: 'cdab77bdde16e4f76bec734c4e5791801d1739e4c7ec1995e0e110e04300d0c2' },
  agent: { version: '0.1.0', boxId: 'box-7' },
  frame: FRAME,
};
const sinkCamera = (id = 'cam1'): SinkCamera => ({
  id,
  zones: new Map([['kerb', { name: 'Kerb', polygon: KERB.map(([x, y]) => [x * 640, y * 360] as [number, number]), lines: new Map() }]]),
  alertContext: { ...context, camera: { ...context.camera, id } },
});
const evidenceCamera: EvidenceCamera = {
  id: 'cam1',
  url: sample('street.png'),
  rtspTransport: 'tcp',
  timeoutSeconds: 5,
  inputOptions: [],
  loop: false,
  analysis: { fps: 5, width: 640, height: 360, resize: 'stretch' },
  privacyMasks: [],
  reconnect: { initialSeconds: 0.5, maxSeconds: 2 },
};

/** A car parks in the kerb zone for 40 s, then leaves: started … ended, from the real tracker and rules. */
function parkedCar(): ViolationUpdate[] {
  const sim = new Sim(
    camera([
      {
        id: 'kerb',
        name: 'Kerb',
        polygon: KERB,
        rules: [{ id: 'no-parking', type: 'illegal_parking', dwellSeconds: 30, endAfterSeconds: 5 }],
      },
    ]),
  );
  sim.run(40, () => [det('car', box(100, 220, 120, 60), 0.87)]);
  sim.run(10, () => []);
  return sim.updates;
}
const grey = (): RgbImage => ({ data: new Uint8Array(640 * 360 * 3).fill(128), width: 640, height: 360 });
const isJpeg = (b: Buffer | undefined) => b !== undefined && b[0] === 0xff && b[1] === 0xd8;

let dir: string;
let audit: AuditLog;
let evidence: EvidenceService;
let logged: { msg: string; eventId?: string; event?: string }[];
let lines: string[];
const log = () => pino({ level: 'info' }, { write: (s: string) => logged.push(JSON.parse(s)) });
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'jifang-event-sink-'));
  audit = await openAuditLog(join(dir, 'audit'), silentLogger);
  evidence = await EvidenceService.open({
    config: evidenceConfigSchema.parse({ clip: { enabled: false }, trainingFrames: false, snapshotSource: 'analysis' }),
    dataDir: dir,
    timezone: 'Asia/Shanghai',
    audit,
    log: silentLogger,
    cameras: [evidenceCamera],
  });
  logged = [];
  lines = [];
});
afterEach(async () => {
  await audit.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

async function auditRecords(kind: string): Promise<Record<string, unknown>[]> {
  const files = await listAuditFiles(join(dir, 'audit'));
  return files
    .flatMap((f) => readFileSync(f, 'utf8').trim().split('\n'))
    .map((l) => JSON.parse(l) as { kind: string; data: Record<string, unknown> })
    .filter((r) => r.kind === kind)
    .map((r) => r.data);
}

describe('event sink (real evidence and audit log, fake publisher)', () => {
  it('publishes the lifecycle in order: a snapshot when it starts, carried by the later alerts, each decision audited', async () => {
    const { publisher, published } = fakePublisher();
    const sink = new EventSink({ publisher, evidence, audit, log: log(), onAlert: (_a, line) => lines.push(line) });
    const updates = parkedCar();
    expect(updates.map((u) => u.state)).toEqual(['started', 'ended']);

    for (const u of updates) sink.submit(sinkCamera(), [u], grey(), u.observedAt);
    await sink.drain();

    expect(published.map((p) => [p.alert.state, p.alert.seq])).toEqual([
      ['started', 0],
      ['ended', 1],
    ]);
    const [started, ended] = published;
    expect(isJpeg(started.jpeg)).toBe(true);
    expect(started.alert.evidence.snapshot).toMatchObject({
      sha256: sha256Hex(started.jpeg!),
      topic: `jifang/v1/site-1/cam1/events/${started.alert.id}/snapshot`,
    });
    expect(started.alert.evidence.thumbnail?.mime).toBe('image/jpeg');
    // The end needs no new picture: it carries the start's.
    expect(ended.jpeg).toBeUndefined();
    expect(ended.alert.evidence.snapshot).toEqual(started.alert.evidence.snapshot);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain(started.alert.id);
    // The sink does not wait for the audit log (the outbox comes first); closing it waits for its writes.
    await audit.close();
    expect(await auditRecords('event_decision')).toMatchObject([
      { eventId: started.alert.id, seq: 0, state: 'started', camera: 'cam1', zone: 'kerb', snapshotSha256: sha256Hex(started.jpeg!) },
      { eventId: started.alert.id, seq: 1, state: 'ended', camera: 'cam1' },
    ]);
  });

  it('keeps one camera’s messages in order although the first waits for its snapshot', async () => {
    const { publisher, published } = fakePublisher();
    const sink = new EventSink({ publisher, evidence, audit, log: log(), onAlert: () => {} });
    const [started, ended] = parkedCar();

    sink.submit(sinkCamera(), [started], grey(), started.observedAt);
    sink.submit(sinkCamera(), [ended], undefined, ended.observedAt);
    await sink.drain();

    expect(published.map((p) => p.alert.state)).toEqual(['started', 'ended']);
  });

  it('a snapshot that cannot be made leaves the alert without it, still published, and says why', async () => {
    const { publisher, published } = fakePublisher();
    const sink = new EventSink({ publisher, evidence, audit, log: log(), onAlert: () => {} });
    const [started] = parkedCar();

    // The evidence service knows no camera "cam9": its snapshot fails.
    sink.submit(sinkCamera('cam9'), [started], grey(), started.observedAt);
    await sink.drain();

    expect(published).toHaveLength(1);
    expect(published[0].jpeg).toBeUndefined();
    expect(published[0].alert.evidence.snapshot).toBeUndefined();
    expect(logged.filter((l) => l.msg === 'snapshot not stored; the alert goes without it').map((l) => l.eventId)).toEqual([
      started.eventId,
    ]);
  });

  it('an audit log that cannot write does not hold the alert back', async () => {
    const { publisher, published } = fakePublisher();
    await audit.close();
    const sink = new EventSink({ publisher, evidence, audit, log: log(), onAlert: () => {} });
    const [started] = parkedCar();

    sink.submit(sinkCamera(), [started], undefined, started.observedAt);
    await sink.drain();

    expect(published.map((p) => p.alert.state)).toEqual(['started']);
    expect(logged.filter((l) => l.msg === 'audit record of the decision not written').map((l) => l.eventId)).toEqual([started.eventId]);
    // The log speaks the event's category first, the rule type after it.
    expect(logged.find((l) => l.msg === 'audit record of the decision not written')).toMatchObject({
      event: 'illegal_parking 机动车乱停放 (rule illegal_parking)',
    });
  });

  it('an event continued after a restart carries the evidence its alerts carried before', async () => {
    const { publisher, published } = fakePublisher();
    const sink = new EventSink({ publisher, evidence, audit, log: log(), onAlert: () => {} });
    const [, ended] = parkedCar();
    const before: Alert['evidence'] = {
      snapshot: { sha256: 'a'.repeat(64), bytes: 1000, width: 640, height: 360, topic: 'jifang/v1/site-1/cam1/events/x/snapshot' },
    };

    sink.adoptEvidence(ended.eventId, before);
    expect(sink.evidenceOf(ended.eventId)).toEqual(before);
    sink.submit(sinkCamera(), [ended], undefined, ended.observedAt);
    await sink.drain();

    expect(published[0].alert.evidence).toEqual(before);
  });

  it('an event continued after a restart votes its plate with the reads of the previous run, kept in the open events file', async () => {
    const [started] = parkedCar();
    const vehicle = started.objects[0];
    const plateCamera = { ...sinkCamera(), plates: { minConfidence: 0.5 } };
    // The previous run: the parked car's plate read three times during its dwell.
    const before = new PlateVotes(fakePlateReader(['京A12345']), silentLogger, { intervalMs: 0, maxReadsPerVehicle: 3 });
    for (let at = 0; at < 3; at++) {
      before.offer('cam1', grey(), [{ trackId: vehicle.trackId, box: vehicle.box }], at);
      await before.idle();
    }
    const first = new EventSink({ publisher: fakePublisher().publisher, evidence, audit, log: log(), plates: before, onAlert: () => {} });
    const event: SavedEvent = {
      eventId: started.eventId,
      nextSeq: 1,
      zone: 'kerb',
      rule: 'no-parking',
      type: 'illegal_parking',
      startedAtWall: 1_000,
      lastSeenWall: 2_000,
      dwellMs: 30_000,
      region: vehicle.box,
      objects: [{ trackId: vehicle.trackId, label: vehicle.label, score: vehicle.score, box: vehicle.box }],
      bestQuality: 0.5,
    };
    const restore = { stateIntervalSeconds: 5, restoreGraceSeconds: 30, maxDowntimeMinutes: 60 };
    const written = await OpenEventsFile.open(join(dir, 'events'), restore, silentLogger);
    written.start(() => new Map([['cam1', [{ event, plates: first.platesOf('cam1', event) }]]]));
    await written.close();

    // The next run: the car is tracked afresh (another track id, the same place); no read of its own yet.
    const [entry] = (await OpenEventsFile.open(join(dir, 'events'), restore, silentLogger)).take('cam1');
    const reader = fakePlateReader(['']);
    const after = new PlateVotes(reader, silentLogger, { intervalMs: 0, maxReadsPerVehicle: 3 });
    const { publisher, published } = fakePublisher();
    const next = new EventSink({ publisher, evidence, audit, log: log(), plates: after, onAlert: () => {} });
    next.adoptPlates(entry.event.eventId, entry.event.objects, entry.plates ?? []);
    const continued: ViolationUpdate = { ...started, state: 'updated', seq: 1, objects: [{ ...vehicle, trackId: vehicle.trackId + 100 }] };
    next.submit(plateCamera, [continued], undefined, continued.observedAt);
    await next.drain();

    expect(published[0].alert.objects[0].plate).toMatchObject({ text: '京A12345', reads: 3 });
    // Its reads are counted: the vehicle is not read again from scratch.
    after.offer('cam1', grey(), [{ trackId: vehicle.trackId + 100, box: vehicle.box }], 10);
    await after.idle();
    expect(reader.calls).toBe(0);
  });
});
