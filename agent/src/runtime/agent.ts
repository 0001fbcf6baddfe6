import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { EventSink } from '../alert/event-sink.ts';
import { type AuditLog, appendWithin, openAuditLog } from '../audit/audit-log.ts';
import { type BackupResult, backupAuditLog } from '../audit/backup.ts';
import { loadSigningKey } from '../audit/sign.ts';
import { attachCommandChannel } from '../commands/channel.ts';
import type { CommandOutcome } from '../commands/handlers/types.ts';
import { createCommandRouter } from '../commands/router.ts';
import { type LoadedConfig, loadConfig } from '../config/load.ts';
import { configuredModels } from '../config/models.ts';
import type { Config } from '../config/schema.ts';
import { type ConsoleRuntime, EventFeed, LiveRecorder } from '../console/live.ts';
import { startConsole } from '../console/server.ts';
import type { Alert } from '../contract/alert.ts';
import type { CameraHealth, Status } from '../contract/health.ts';
import { ensurePrivateDir } from '../core/durable.ts';
import type { Logger } from '../core/log.ts';
import { redact } from '../core/redact.ts';
import { instantOf } from '../core/time.ts';
import { detectorFamilies } from '../detect/decoders/index.ts';
import { openDetector } from '../detect/worker-detector.ts';
import { EvidenceService } from '../evidence/service.ts';
import { healthRoutes, startHttpServer } from '../health/http.ts';
import { registerHealthMetrics } from '../health/metrics.ts';
import { type CameraSource, createCameraSource } from '../ingest/source.ts';
import { createFrameLoop, type FrameLoop } from '../loop/frame-loop.ts';
import { type LoadedModel, loadModel } from '../model/load.ts';
import { openPlateVotes, type PlateVotes } from '../plate/evidence-reads.ts';
import { registerPlateMetrics } from '../plate/metrics.ts';
import { clientIdFor } from '../publish/client-options.ts';
import { type EmbeddedBroker, startEmbeddedBroker } from '../publish/embedded-broker.ts';
import { registerPublisherMetrics } from '../publish/metrics.ts';
import { createPublisher, type Publisher } from '../publish/publisher.ts';
import { buildTopics } from '../publish/topics.ts';
import { boxHealth } from './box-health.ts';
import { CameraPipeline, type PipelineDeps, type RunningModel } from './camera-pipeline.ts';
import { DataDirLock } from './data-dir-lock.ts';
import { deliveryRecorder } from './delivery-audit.ts';
import { writeHealthFile } from './health-file.ts';
import { boxIdOf } from './identity.ts';
import { type OpenEventEntry, OpenEventsFile } from './open-events-file.ts';
import { operatorCommandHandlers } from './operator-commands.ts';
import { planReload } from './reload-plan.ts';

export interface AgentOptions {
  version: string;
  log: Logger;
  /** Each alert as it is queued, with its console line. */
  onAlert?: (alert: Alert, line: string) => void;
}

export interface RunningAgent {
  readonly boxId: string;
  /** The broker the agent publishes to (the embedded one when `mqtt.url` is absent). */
  readonly brokerUrl: string;
  readonly publisher: Publisher;
  health(): CameraHealth[];
  /** Stops cameras and analysis, flushes alerts to the outbox, publishes `online:false`, closes everything. */
  stop(reason: string): Promise<void>;
}

/** How long a reload's answer waits for its audit record to reach the disk before it answers without it. */
const AUDIT_WAIT_MS = 2000;

/** Undoes the set-up in reverse order on stop (or when a later step of the start fails). */
class Teardown {
  private readonly steps: (() => Promise<void>)[] = [];

  constructor(private readonly log: Logger) {}

  add(step: () => Promise<void>): void {
    this.steps.push(step);
  }

  async run(): Promise<void> {
    for (const step of this.steps.splice(0).reverse())
      await step().catch((err: unknown) => this.log.error({ err }, 'shutdown step failed'));
  }
}

/** What the running agent changes after its start: the config (on reload) and why it stops. */
interface AgentState {
  config: Config;
  stopReason: string;
}

/** The composition root: builds every stage from the config and wires them together, one named step each. */
export async function startAgent(loaded: LoadedConfig, opts: AgentOptions): Promise<RunningAgent> {
  const { log } = opts;
  const state: AgentState = { config: loaded.config, stopReason: 'startup failed' };
  const startedAt = Date.now();
  const boxId = boxIdOf(state.config.site);
  await ensurePrivateDir(state.config.dataDir);
  const lock = await DataDirLock.take(state.config.dataDir);
  const teardown = new Teardown(log);
  // The first step taken, so the last undone: the folder is free only once everything in it is closed.
  teardown.add(() => lock.release());

  try {
    return await assembleAgent(loaded, opts, { state, startedAt, boxId, teardown });
  } catch (err) {
    await teardown.run();
    throw err;
  }
}

/** Every stage, opened in order, each registering its undoing with `teardown`. */
async function assembleAgent(
  loaded: LoadedConfig,
  opts: AgentOptions,
  ctx: { state: AgentState; startedAt: number; boxId: string; teardown: Teardown },
): Promise<RunningAgent> {
  const { log, version } = opts;
  const { state, startedAt, boxId, teardown } = ctx;
  const audit = await openAudit(loaded, { version, boxId, log, teardown, stopReason: () => state.stopReason });
  const { models, model } = await loadDetectors(state.config, audit, log, teardown);
  const { publisher, brokerUrl } = await connectBroker(state.config, { version, boxId, startedAt, audit, log, teardown });
  const plates = await openPlates(log, teardown);
  const evidence = await openEvidence(state.config, { audit, log, plates, teardown });
  const { openEvents, events, sink } = await openEventSink(
    state.config,
    { publisher, evidence, audit, log, plates, teardown },
    opts.onAlert,
  );

  // A full disk shows in the retained status with its figures: the audit log's, the outbox's and the evidence's.
  const degraded = () => [audit.degraded, publisher.degraded, evidence.degraded].filter(Boolean).join('; ') || undefined;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const modelInfo = { name: model.manifest.name, sha256: model.sha256 };
  // Runs after the cameras stopped (teardown is in reverse): their open events are parked in the file by then.
  teardown.add(() => openEvents.close());
  const cameras = startCameras({
    config: () => state.config,
    openEvents,
    sink,
    registry,
    evidence,
    publisher,
    log,
    pipeline: {
      site: state.config.site,
      catalogue: loaded.catalogue,
      models,
      sink,
      model: modelInfo,
      agent: { version, boxId },
      plates,
      mainFrame: (camera, at) => evidence.mainStreamFrame(camera, at),
    },
    status: () => ({
      ...statusOf(state.config, version, boxId, startedAt, cameras.sources),
      ...(degraded() ? { degraded: degraded() } : {}),
    }),
  });
  teardown.add(() => cameras.stopAll());
  teardown.add(async () => evidence.cutPendingClipsNow());
  registerPublisherMetrics(registry, () => publisher.stats());
  if (plates) registerPlateMetrics(registry, () => plates.stats());
  startReporting(state.config, {
    boxId,
    publisher,
    loop: cameras.loop,
    log,
    teardown,
    degraded,
    publishStatus: cameras.publishStatus,
  });
  await openHealthServer(state.config, { cameras, registry, log, teardown });

  const reload = configReloader(loaded.file, state, { cameras, openEvents, audit, evidence, log });
  const box = () => boxHealth(brokerUrl, publisher.stats(), state.config.dataDir, degraded());
  await openConsole(loaded, state, { cameras, events, registry, reload, box, audit, log, teardown });
  await attachCommands(state, { boxId, publisher, cameras, evidence, model: modelInfo, reload, audit, log });
  cameras.publishStatus();
  log.info(
    { site: state.config.site.id, boxId, cameras: state.config.cameras.length, broker: redact(brokerUrl), model: model.manifest.name },
    'agent started',
  );
  return runningAgent({ boxId, brokerUrl, publisher, cameras, state, log, teardown });
}

/** The open-events file, the console's event feed, and the sink every camera's alerts go through. */
async function openEventSink(
  config: Config,
  ctx: {
    publisher: Publisher;
    evidence: EvidenceService;
    audit: AuditLog;
    log: Logger;
    plates: PlateVotes | undefined;
    teardown: Teardown;
  },
  onAlert: AgentOptions['onAlert'],
): Promise<{ openEvents: OpenEventsFile; events: EventFeed; sink: EventSink }> {
  const { publisher, evidence, audit, log, plates } = ctx;
  const openEvents = await OpenEventsFile.open(join(config.dataDir, 'events'), config.events, log);
  openEvents.reconcile((eventId) => publisher.sentOf(eventId));
  const events = new EventFeed();
  const sink = new EventSink({
    publisher,
    evidence,
    audit,
    log,
    onAlert: (alert, line) => (events.add(alert), openEvents.soon(), onAlert?.(alert, line)),
    plates,
  });
  ctx.teardown.add(() => sink.drain());
  return { openEvents, events, sink };
}

/** Health and metrics on their own HTTP server, when `http` is configured without the console (which serves them itself). */
async function openHealthServer(
  config: Config,
  ctx: { cameras: Cameras; registry: Registry; log: Logger; teardown: Teardown },
): Promise<void> {
  if (!config.http || config.http.console) return;
  const http = await startHttpServer(config.http, () => ctx.cameras.loop.health(), ctx.registry, ctx.log);
  ctx.teardown.add(() => http.close());
}

/** Operator commands from the center, over the publisher's connection. */
async function attachCommands(
  state: AgentState,
  ctx: {
    boxId: string;
    publisher: Publisher;
    cameras: Cameras;
    evidence: EvidenceService;
    model: { name: string; sha256: string };
    reload: () => Promise<CommandOutcome>;
    audit: AuditLog;
    log: Logger;
  },
): Promise<void> {
  const { publisher, audit, log } = ctx;
  await attachCommandChannel(
    publisher,
    createCommandRouter({
      topics: publisher.topics,
      boxId: ctx.boxId,
      log,
      maxAgeMs: state.config.mqtt.commandMaxAgeMinutes * 60_000,
      handlers: operatorCommandHandlers({
        pipelines: ctx.cameras.pipelines,
        evidence: ctx.evidence,
        model: ctx.model,
        config: () => state.config,
        reload: ctx.reload,
        resend: (range) => publisher.resend(range),
        log,
      }),
      audit: (e) => record(audit, log, 'operator_command', { ...e, at: new Date(e.at).toISOString() }),
    }),
    log,
  );
}

/** The agent as its caller holds it: stopping runs the teardown once, however often it is asked. */
function runningAgent(parts: {
  boxId: string;
  brokerUrl: string;
  publisher: Publisher;
  cameras: Cameras;
  state: AgentState;
  log: Logger;
  teardown: Teardown;
}): RunningAgent {
  const { state, log, teardown } = parts;
  let stopping: Promise<void> | undefined;
  return {
    boxId: parts.boxId,
    brokerUrl: parts.brokerUrl,
    publisher: parts.publisher,
    health: () => parts.cameras.loop.health(),
    stop: (reason) =>
      (stopping ??= (async () => {
        log.info({ reason }, 'agent stopping');
        state.stopReason = reason;
        // Reverse order of set-up: the loop and cameras stop first, the sink drains into the outbox, the publisher
        // says online:false, then the broker, the detector and the audit log close.
        await teardown.run();
      })()),
  };
}

/** Plate reading, when the plate models are provisioned. */
async function openPlates(log: Logger, teardown: Teardown): Promise<PlateVotes | undefined> {
  const plates = await openPlateVotes(log);
  if (plates) teardown.add(() => plates.close());
  return plates;
}

/** The evidence service (clips, snapshots, the privacy mask), started. */
async function openEvidence(
  config: Config,
  ctx: { audit: AuditLog; log: Logger; plates: PlateVotes | undefined; teardown: Teardown },
): Promise<EvidenceService> {
  const evidence = await EvidenceService.open({
    config: config.evidence,
    dataDir: config.dataDir,
    cameras: config.cameras,
    timezone: config.site.timezone,
    audit: ctx.audit,
    log: ctx.log,
    plates: ctx.plates?.reader,
  });
  await evidence.start();
  ctx.teardown.add(() => evidence.stop());
  return evidence;
}

/**
 * Reads the config file again and applies it: only the cameras whose settings changed restart, removed ones stop;
 * a change that needs a restart of the agent, or an invalid file, leaves the running config as it is.
 */
function configReloader(
  file: string,
  state: AgentState,
  ctx: { cameras: Cameras; openEvents: OpenEventsFile; audit: AuditLog; evidence: EvidenceService; log: Logger },
): () => Promise<CommandOutcome> {
  const { cameras, openEvents, audit, evidence, log } = ctx;
  return async () => {
    let next: LoadedConfig;
    try {
      next = loadConfig(file);
    } catch (err) {
      return { ok: false, error: `the new config is invalid, the running one is kept:\n${(err as Error).message}` };
    }
    const plan = planReload(state.config, next.config);
    if (!plan.ok) return plan;
    const restarted = plan.restarted.map((c) => c.id);
    for (const id of [...plan.removed, ...restarted]) await cameras.remove(id);
    state.config = next.config;
    for (const m of plan.masks) evidence.setPrivacyMasks(m.camera, m.privacyMasks);
    plan.reconfigured.forEach(cameras.reconfigure);
    plan.restarted.forEach(cameras.add);
    openEvents.dropUnclaimed();
    cameras.publishStatus();
    const changes = { restartedCameras: restarted, reconfiguredCameras: plan.reconfigured.map((c) => c.id), removedCameras: plan.removed };
    const detail = { sha256: next.sha256, ...changes };
    // A full disk must not hold the operator's answer: it says instead that the record waits for the disk.
    const record = { file: next.file, sha256: next.sha256, reload: true, ...changes };
    const unrecorded = await appendWithin(audit, 'config_loaded', record, AUDIT_WAIT_MS, log);
    return { ok: true, detail: unrecorded ? { ...detail, auditRecord: unrecorded } : detail };
  };
}

/** The box's web console, when `http.console` is configured (it then serves health and metrics too). */
async function openConsole(
  loaded: LoadedConfig,
  state: AgentState,
  ctx: {
    cameras: Cameras;
    events: EventFeed;
    registry: Registry;
    reload: () => Promise<CommandOutcome>;
    box: ConsoleRuntime['box'];
    audit: AuditLog;
    log: Logger;
    teardown: Teardown;
  },
): Promise<void> {
  const web = state.config.http;
  if (!web?.console) return;
  const { cameras, audit, log } = ctx;
  const health = () => cameras.loop.health();
  const consoleRuntime: ConsoleRuntime = {
    configFile: loaded.file,
    config: () => state.config,
    health,
    box: ctx.box,
    live: (id) => {
      const p = cameras.pipelines.get(id);
      const r = cameras.live.get(id)?.read(Date.now());
      return p && r ? { facts: { ...r.facts, camera: id, rules: p.rules.progress() }, image: r.image } : undefined;
    },
    reload: ctx.reload,
    catalogue: loaded.catalogue,
  };
  const server = await startConsole({
    http: { ...web, console: web.console },
    runtime: consoleRuntime,
    events: ctx.events,
    evidenceRoot: join(state.config.dataDir, 'evidence'),
    open: healthRoutes(health, ctx.registry),
    audit: (e) => record(audit, log, e.action === 'change' ? 'console_change' : 'console_login', { ...e }),
    log,
  });
  ctx.teardown.add(() => server.close());
}

/** The audit log first: every later step records into it (start, config, model, deliveries, stop). */
async function openAudit(
  loaded: LoadedConfig,
  ctx: { version: string; boxId: string; log: Logger; teardown: Teardown; stopReason: () => string },
): Promise<AuditLog> {
  const { config } = loaded;
  const { log, teardown } = ctx;
  const auditDir = join(config.dataDir, 'audit');
  const audit = await openAuditLog(auditDir, log, {
    timezone: config.site.timezone,
    signingKey: config.audit.signingKeyFile ? await loadSigningKey(config.audit.signingKeyFile) : undefined,
  });
  const backup = config.audit.backupDir ? auditBackup(auditDir, config.audit.backupDir, log) : undefined;
  teardown.add(async () => {
    await audit.append('agent_stopped', { reason: ctx.stopReason() });
    await audit.close();
    await backup?.run();
  });
  await audit.append('agent_started', { version: ctx.version, boxId: ctx.boxId, pid: process.pid });
  if (backup) {
    const report = (r: BackupResult) =>
      r.diverged.length > 0 ? audit.append('audit_backup', { backupDir: config.audit.backupDir, ...r }) : undefined;
    await report(await backup.run());
    const timer = setInterval(
      () =>
        void backup
          .run()
          .then(report)
          .catch((err: unknown) => log.error({ stage: 'audit', err }, 'audit backup not recorded')),
      config.audit.backupIntervalMinutes * 60_000,
    );
    timer.unref();
    teardown.add(async () => clearInterval(timer));
  }
  await audit.append('config_loaded', { file: loaded.file, sha256: loaded.sha256 });
  return audit;
}

/** Every configured model, each its own detector (by default its own worker thread: one model's crash spares the others). */
async function loadDetectors(config: Config, audit: AuditLog, log: Logger, teardown: Teardown) {
  const models = new Map<string, RunningModel>();
  let model: LoadedModel | undefined;
  for (const { name, path, cfg } of configuredModels(config)) {
    const loaded = await loadModel(detectorFamilies, cfg.manifest).catch((err: Error) => {
      throw new Error(`${path}.manifest: ${err.message}`);
    });
    const detector = await openDetector(loaded, cfg, log.child({ stage: 'detect', model: name }));
    teardown.add(() => detector.close());
    await audit.append('model_loaded', {
      model: name,
      name: loaded.manifest.name,
      sha256: loaded.sha256,
      file: loaded.modelPath,
      family: loaded.manifest.family,
    });
    models.set(name, {
      detector,
      info: { name: loaded.manifest.name, sha256: loaded.sha256 },
      input: loaded.manifest.input,
      nmsIou: cfg.nmsIou,
    });
    model ??= loaded;
  }
  return { models, model: model! };
}

/** The embedded broker when no `mqtt.url` is given, and the publisher with its durable outbox. */
async function connectBroker(
  config: Config,
  ctx: { version: string; boxId: string; startedAt: number; audit: AuditLog; log: Logger; teardown: Teardown },
): Promise<{ publisher: Publisher; brokerUrl: string }> {
  const { audit, log, teardown } = ctx;
  let broker: EmbeddedBroker | undefined;
  if (!config.mqtt.url) {
    const started = await startEmbeddedBroker(
      {
        port: config.mqtt.embeddedPort,
        dataDir: config.dataDir,
        prefix: buildTopics(config.mqtt.root, config.site.id).prefix,
        agentClientId: clientIdFor(config.mqtt, config.site.id, ctx.boxId),
      },
      log.child({ stage: 'broker' }),
    );
    teardown.add(() => started.close());
    broker = started;
  }
  const brokerUrl = config.mqtt.url ?? broker!.url;
  // aedes speaks MQTT 3.1.1 only: ask for it directly rather than be refused MQTT 5 first.
  const mqttConfig = broker
    ? { ...config.mqtt, protocolVersion: 4 as const, username: broker.agent.username, password: broker.agent.password }
    : config.mqtt;
  const publisher = createPublisher(
    mqttConfig,
    {
      site: config.site.id,
      boxId: ctx.boxId,
      agentVersion: ctx.version,
      dataDir: config.dataDir,
      url: brokerUrl,
      startedAt: ctx.startedAt,
      cameras: cameraList(config),
      place: placeOf(config),
      recordDelivery: deliveryRecorder(audit),
    },
    log,
  );
  publisher.on('dropped', (d) => record(audit, log, 'outbox_dropped', { ...d }));
  await publisher.start();
  teardown.add(() => publisher.stop());
  return { publisher, brokerUrl };
}

interface CameraDeps {
  config: () => Config;
  /** A camera's open events of the previous run (or of its pipeline before a reload) go to its new pipeline. */
  openEvents: OpenEventsFile;
  sink: EventSink;
  registry: Registry;
  evidence: EvidenceService;
  publisher: Publisher;
  log: Logger;
  pipeline: PipelineDeps;
  status: () => Status;
}

type Cameras = ReturnType<typeof startCameras>;

/** Every camera's source (ffmpeg in the ingest thread) and pipeline, and the one frame loop that shares the detector. */
function startCameras(deps: CameraDeps) {
  const { evidence, publisher, log } = deps;
  const pipelines = new Map<string, CameraPipeline>();
  /** Each camera's latest frame facts (and picture, while watched) for the console. */
  const live = new Map<string, LiveRecorder>();
  const sources = new Map<string, CameraSource>();
  const loop: FrameLoop = createFrameLoop({
    registry: deps.registry,
    log,
    evidenceHealth: (camera) => evidence.clipHealth(camera),
    process: (frame, ctx) => {
      const p = pipelines.get(frame.camera);
      if (!p) throw new Error(`frame from unknown camera "${frame.camera}"`);
      return p.process(frame, ctx);
    },
  });
  registerHealthMetrics(deps.registry, () => loop.health());
  const publishStatus = () => publisher.publishStatus(deps.status());
  const add = (cam: Config['cameras'][number]) => {
    const recorder = new LiveRecorder();
    live.set(cam.id, recorder);
    const pipeline = new CameraPipeline(cam, deps.pipeline, log, recorder);
    continueOpenEvents(pipeline, deps.openEvents.take(cam.id), deps.openEvents.config, deps.sink, log);
    pipelines.set(cam.id, pipeline);
    const source = createCameraSource(cam, log, evidence.ringOutputFor(cam.id));
    source.on('state', publishStatus);
    sources.set(cam.id, source);
    loop.addSource(source);
    source.start();
  };
  const remove = async (id: string) => {
    const source = sources.get(id);
    loop.removeCamera(id);
    const pipeline = pipelines.get(id);
    if (pipeline) deps.openEvents.park(id, openEventsOf(pipeline, deps.sink));
    pipelines.delete(id);
    live.delete(id);
    sources.delete(id);
    await source?.stop();
  };
  deps.config().cameras.forEach(add);
  loop.start();
  // Events of the previous run whose camera is gone are dropped; the rest are written as they change.
  deps.openEvents.dropUnclaimed();
  deps.openEvents.start(() => new Map([...pipelines].map(([id, p]) => [id, openEventsOf(p, deps.sink)])));
  return {
    loop,
    pipelines,
    live,
    sources,
    add,
    remove,
    /** A camera's new zones, rules, masks or words, taken over by its running pipeline (the stream goes on). */
    reconfigure: (cam: Config['cameras'][number]) => pipelines.get(cam.id)?.reconfigure(cam, instantOf()),
    publishStatus,
    stopAll: async () => {
      await loop.stop();
      await Promise.all([...sources.keys()].map(remove));
    },
  };
}

/** Retained health per camera and the health file every health interval; metrics every metrics interval. */
function startReporting(
  config: Config,
  ctx: {
    boxId: string;
    publisher: Publisher;
    loop: FrameLoop;
    log: Logger;
    teardown: Teardown;
    degraded: () => string | undefined;
    publishStatus: () => void;
  },
): void {
  const { publisher, loop, log } = ctx;
  const healthFile = join(config.dataDir, 'health.json');
  let degraded: string | undefined;
  const healthTimer = setInterval(() => {
    // The retained status says when the box is degraded (with the latest figures), and when it is not any more.
    const now = ctx.degraded();
    if (now !== degraded) ctx.publishStatus();
    degraded = now;
    const all = loop.health();
    for (const h of all) publisher.publishHealth(h);
    void writeHealthFile(healthFile, {
      at: new Date().toISOString(),
      pid: process.pid,
      connected: publisher.connected,
      intervalSeconds: config.mqtt.healthIntervalSeconds,
      cameras: all,
    }).catch((err: unknown) => log.warn({ err }, 'health file not written'));
  }, config.mqtt.healthIntervalSeconds * 1000);
  const metricsTimer = setInterval(() => {
    const stats = publisher.stats();
    publisher.publishMetrics({
      at: new Date().toISOString(),
      boxId: ctx.boxId,
      loop: loop.stats(),
      timings: loop.timings.takeSnapshot(),
      delivery: {
        connected: stats.connected,
        protocolVersion: stats.protocolVersion,
        inflight: stats.inflight,
        delivered: stats.delivered,
        reconnects: stats.reconnects,
        outbox: stats.outbox,
      },
      memory: { rssBytes: process.memoryUsage.rss() },
    });
  }, config.mqtt.metricsIntervalSeconds * 1000);
  ctx.teardown.add(async () => {
    clearInterval(healthTimer);
    clearInterval(metricsTimer);
  });
}

function openEventsOf(p: CameraPipeline, sink: EventSink): OpenEventEntry[] {
  return p.rules.saveOpenEvents().map((event) => {
    const evidence = sink.evidenceOf(event.eventId);
    const plates = sink.platesOf(p.camera.id, event);
    return { event, ...(evidence && { evidence }), ...(plates.length > 0 && { plates }) };
  });
}

/** The previous run's open events of the camera: its rules take them back at the next frame, the sink their evidence. */
function continueOpenEvents(p: CameraPipeline, entries: OpenEventEntry[], cfg: Config['events'], sink: EventSink, log: Logger): void {
  if (entries.length === 0) return;
  for (const e of entries) {
    if (e.evidence) sink.adoptEvidence(e.event.eventId, e.evidence);
    if (e.plates) sink.adoptPlates(e.event.eventId, e.event.objects, e.plates);
  }
  const homeless = p.rules.restoreOpenEvents(
    entries.map((e) => e.event),
    { graceMs: cfg.restoreGraceSeconds * 1000, maxDowntimeMs: cfg.maxDowntimeMinutes * 60_000 },
  );
  log.info({ camera: p.camera.id, events: entries.length - homeless.length }, 'open events of the previous run to be continued');
  if (homeless.length > 0)
    log.warn(
      { camera: p.camera.id, events: homeless.map((e) => `${e.eventId} (${e.zone}/${e.rule})`) },
      'open events whose zone or rule is no longer configured: not continued (their last alert stands)',
    );
}

/** An audit record nobody waits for: a failure is logged, never an unhandled rejection that ends the process. */
function record(audit: AuditLog, log: Logger, kind: Parameters<AuditLog['append']>[0], data: Record<string, unknown>): void {
  audit.append(kind, data).catch((err: unknown) => log.error({ stage: 'audit', kind, err }, 'audit record not written'));
}

/** Keeps `backupDir` a copy of the audit log; a backup that disagrees with the log is kept and reported loudly. */
function auditBackup(auditDir: string, backupDir: string, log: Logger) {
  return {
    run: async (): Promise<BackupResult> => {
      try {
        await mkdir(backupDir, { recursive: true });
        const r = await backupAuditLog(auditDir, backupDir);
        if (r.diverged.length > 0)
          log.error(
            { stage: 'audit', backupDir, diverged: r.diverged },
            'audit files differ from their backup: the originals were edited or cut; the backup is kept',
          );
        return r;
      } catch (err) {
        log.error({ stage: 'audit', backupDir, err }, 'audit backup failed');
        return { copied: [], diverged: [] };
      }
    },
  };
}

function cameraList(config: Config): Status['cameras'] {
  return config.cameras.map((c) => ({ id: c.id, ...(c.name ? { name: c.name } : {}), location: c.location ?? config.site.location }));
}

function placeOf(config: Config): Pick<Status, 'location' | 'address'> {
  return { location: config.site.location, ...(config.site.address ? { address: config.site.address } : {}) };
}

function statusOf(config: Config, version: string, boxId: string, startedAt: number, sources: ReadonlyMap<string, CameraSource>): Status {
  return {
    online: true,
    agentVersion: version,
    boxId,
    startedAt: new Date(startedAt).toISOString(),
    at: new Date().toISOString(),
    ...placeOf(config),
    cameras: config.cameras.map((c) => ({
      id: c.id,
      ...(c.name ? { name: c.name } : {}),
      ...(sources.get(c.id) ? { state: sources.get(c.id)!.status().state } : {}),
      location: c.location ?? config.site.location,
    })),
  };
}
