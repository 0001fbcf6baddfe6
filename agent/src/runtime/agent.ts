import { mkdir } from 'node:fs/promises';
import { ensurePrivateDir } from '../core/durable.ts';
import { join } from 'node:path';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { openAuditLog } from '../audit/audit-log.ts';
import { loadSigningKey } from '../audit/sign.ts';
import { backupAuditLog, type BackupResult } from '../audit/backup.ts';
import type { Alert } from '../alert/schema.ts';
import { createCommandRouter, type CommandOutcome, type SnapshotOutcome } from '../commands/router.ts';
import type { EventCommand } from '../commands/schema.ts';
import { loadConfig, type LoadedConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { createDetector } from '../detect/detector.ts';
import type { Detector } from '../detect/types.ts';
import type { Box } from '../core/geometry.ts';
import { EvidenceService } from '../evidence/service.ts';
import { renderSnapshot } from '../evidence/snapshot.ts';
import { startHttpServer, type HealthHttpServer } from '../health/http.ts';
import { registerHealthMetrics } from '../health/metrics.ts';
import type { CameraHealth, Status } from '../health/schema.ts';
import { createCameraSource, type CameraSource } from '../ingest/source.ts';
import { redact } from '../core/redact.ts';
import { systemClock } from '../core/time.ts';
import type { Logger } from '../core/log.ts';
import { createFrameLoop, type FrameLoop } from '../loop/frame-loop.ts';
import { loadModel } from '../model/load.ts';
import { clientIdFor } from '../publish/client-options.ts';
import { startEmbeddedBroker, type EmbeddedBroker } from '../publish/embedded-broker.ts';
import { registerPublisherMetrics } from '../publish/metrics.ts';
import { createPublisher, type Publisher } from '../publish/publisher.ts';
import { buildTopics } from '../publish/topics.ts';
import { CameraPipeline } from './camera-pipeline.ts';
import { EventSink } from './event-sink.ts';
import { writeHealthFile } from './health-file.ts';
import { boxIdOf } from './identity.ts';

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

/** Config sections that the running agent cannot swap live; a reload that changes them is refused. */
const RESTART_ONLY = ['site', 'mqtt', 'model', 'dataDir', 'http', 'logLevel', 'audit', 'evidence'] as const;

/** The composition root: builds every stage from the config and wires them together. */
export async function startAgent(loaded: LoadedConfig, opts: AgentOptions): Promise<RunningAgent> {
  const { log, version } = opts;
  let config = loaded.config;
  const startedAt = Date.now();
  const boxId = boxIdOf(config.site);
  await ensurePrivateDir(config.dataDir);
  const cleanups: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch((err: unknown) => log.error({ err }, 'shutdown step failed'));
  };

  try {
    const auditDir = join(config.dataDir, 'audit');
    const audit = await openAuditLog(auditDir, log, {
      timezone: config.site.timezone,
      signingKey: config.audit.signingKeyFile ? await loadSigningKey(config.audit.signingKeyFile) : undefined,
    });
    let stopReason = 'startup failed';
    const backup = config.audit.backupDir ? auditBackup(auditDir, config.audit.backupDir, log) : undefined;
    cleanups.push(async () => {
      await audit.append('agent_stopped', { reason: stopReason });
      await audit.close();
      await backup?.run();
    });
    await audit.append('agent_started', { version, boxId, pid: process.pid });
    if (backup) {
      const report = (r: BackupResult) => (r.diverged.length > 0 ? audit.append('audit_backup', { backupDir: config.audit.backupDir, ...r }) : undefined);
      await report(await backup.run());
      const timer = setInterval(() => void backup.run().then(report), config.audit.backupIntervalMinutes * 60_000);
      timer.unref();
      cleanups.push(async () => clearInterval(timer));
    }
    await audit.append('config_loaded', { file: loaded.file, sha256: loaded.sha256 });

    const model = await loadModel(config.model.manifest);
    const detector: Detector = await createDetector(model, config.model, log.child({ stage: 'detect' }));
    cleanups.push(() => detector.close());
    await audit.append('model_loaded', { name: model.manifest.name, sha256: model.sha256, file: model.modelPath, family: model.manifest.family });

    let broker: EmbeddedBroker | undefined;
    if (!config.mqtt.url) {
      broker = await startEmbeddedBroker(
        { port: config.mqtt.embeddedPort, dataDir: config.dataDir, prefix: buildTopics(config.mqtt.root, config.site.id).prefix, agentClientId: clientIdFor(config.mqtt, config.site.id, boxId) },
        log.child({ stage: 'broker' }),
      );
      cleanups.push(() => broker!.close());
    }
    const brokerUrl = config.mqtt.url ?? broker!.url;
    // aedes speaks MQTT 3.1.1 only: ask for it directly rather than be refused MQTT 5 first.
    const mqttConfig = broker ? { ...config.mqtt, protocolVersion: 4 as const, username: broker.agent.username, password: broker.agent.password } : config.mqtt;
    const publisher = createPublisher(mqttConfig, { site: config.site.id, boxId, agentVersion: version, dataDir: config.dataDir, url: brokerUrl, startedAt, cameras: cameraList(config) }, log);
    publisher.on('delivered', (d) =>
      void audit.append('delivery', { outboxId: d.message.id, kind: d.message.kind, camera: d.message.camera, eventId: d.message.eventId, state: d.message.state, topic: d.message.topic, ackedAt: new Date(d.ackedAt).toISOString() }),
    );
    publisher.on('dropped', (d) => void audit.append('outbox_dropped', { ...d }));
    await publisher.start();
    cleanups.push(() => publisher.stop());

    const evidence = await EvidenceService.open({ config: config.evidence, dataDir: config.dataDir, cameras: config.cameras, timezone: config.site.timezone, audit, log });
    await evidence.start();
    cleanups.push(() => evidence.stop());

    const sink = new EventSink({ publisher, evidence, audit, log, onAlert: opts.onAlert ?? (() => {}) });
    cleanups.push(() => sink.drain());

    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    const pipelines = new Map<string, CameraPipeline>();
    const loop: FrameLoop = createFrameLoop({
      registry,
      log,
      process: (frame, ctx) => {
        const p = pipelines.get(frame.camera);
        if (!p) throw new Error(`frame from unknown camera "${frame.camera}"`);
        return p.process(frame, ctx);
      },
    });
    registerHealthMetrics(registry, () => loop.health());
    registerPublisherMetrics(registry, () => publisher.stats());

    const pipelineDeps = {
      site: config.site,
      detector,
      sink,
      model: { name: model.manifest.name, sha256: model.sha256 },
      agent: { version, boxId },
      modelInput: { width: model.manifest.input.width, height: model.manifest.input.height },
    };
    const sources = new Map<string, CameraSource>();
    const publishStatus = () => publisher.publishStatus(statusOf(config, version, boxId, startedAt, sources));
    const addCamera = (cam: Config['cameras'][number]) => {
      // Each stage names itself and the camera in its own log lines.
      pipelines.set(cam.id, new CameraPipeline(cam, { ...pipelineDeps, mask: evidence.privacyMask(cam.id) }, log));
      const source = createCameraSource(cam, log);
      source.on('state', publishStatus);
      sources.set(cam.id, source);
      loop.addSource(source);
      source.start();
    };
    const removeCamera = async (id: string) => {
      const source = sources.get(id);
      loop.removeCamera(id);
      pipelines.delete(id);
      sources.delete(id);
      await source?.stop();
    };
    cleanups.push(async () => {
      await Promise.all([...sources.keys()].map(removeCamera));
    });
    cleanups.push(() => loop.stop());
    config.cameras.forEach(addCamera);
    loop.start();

    const health = () => loop.health();
    const healthFile = join(config.dataDir, 'health.json');
    const healthTimer = setInterval(() => {
      const all = health();
      for (const h of all) publisher.publishHealth(h);
      void writeHealthFile(healthFile, { at: new Date().toISOString(), pid: process.pid, connected: publisher.connected, cameras: all }).catch((err: unknown) =>
        log.warn({ err: (err as Error).message }, 'health file not written'),
      );
    }, config.mqtt.healthIntervalSeconds * 1000);
    const metricsTimer = setInterval(() => {
      const stats = publisher.stats();
      publisher.publishMetrics({
        at: new Date().toISOString(),
        boxId,
        loop: loop.stats(),
        timings: loop.timings.takeSnapshot(),
        delivery: { connected: stats.connected, protocolVersion: stats.protocolVersion, inflight: stats.inflight, delivered: stats.delivered, reconnects: stats.reconnects, outbox: stats.outbox },
        memory: { rssBytes: process.memoryUsage.rss() },
      });
    }, config.mqtt.metricsIntervalSeconds * 1000);
    cleanups.push(async () => {
      clearInterval(healthTimer);
      clearInterval(metricsTimer);
    });

    let http: HealthHttpServer | undefined;
    if (config.http) {
      http = await startHttpServer(config.http, health, registry, log);
      cleanups.push(() => http!.close());
    }

    const keepHardNegative = (p: CameraPipeline, cmd: EventCommand, objects: readonly { box: Box; label: string; score: number; trackId: number }[]) =>
      p
        .nextFrame(10_000)
        .then((f) => evidence.hardNegative(cmd.eventId, p.camera.id, f.image, f.at, { objects, model: pipelineDeps.model, by: cmd.by, note: cmd.note }))
        .catch((err: unknown) => log.warn({ camera: p.camera.id, eventId: cmd.eventId, err: (err as Error).message }, 'false-positive frame not kept'));
    const eventAction = (cmd: EventCommand, at: number): CommandOutcome => {
      for (const p of pipelines.values()) {
        const r = p.applyOperatorAction(cmd.eventId, cmd.action, { wall: at, mono: systemClock.monotonic() }, { by: cmd.by, note: cmd.note, unit: cmd.unit });
        if (r.ok && cmd.action === 'false_positive') void keepHardNegative(p, cmd, r.update?.objects ?? []);
        if (r.ok) return { ok: true, detail: { eventId: r.eventId, action: r.action, camera: p.camera.id } };
        if (r.code !== 'unknown_event') return { ok: false, error: r.error };
      }
      return { ok: false, error: `unknown event id "${cmd.eventId}": expected the id of an active event on this box; nothing changed` };
    };
    const snapshot = async (camera: string): Promise<SnapshotOutcome> => {
      const p = pipelines.get(camera);
      if (!p) return { ok: false, error: `unknown camera "${camera}"` };
      try {
        const f = await p.nextFrame(10_000);
        const snap = await renderSnapshot(
          f.image,
          { objects: f.detections.map((d) => ({ box: d.box, label: d.label, score: d.score })), camera: p.camera.name ?? p.camera.id, at: f.at },
          { frame: p.camera.analysis, timezone: config.site.timezone, quality: config.evidence.jpegQuality },
        );
        return { ok: true, jpeg: snap.jpeg, width: snap.width, height: snap.height, sha256: snap.sha256 };
      } catch (err) {
        return { ok: false, error: (err as Error).message };
      }
    };
    const reload = async (): Promise<CommandOutcome> => {
      let next: LoadedConfig;
      try {
        next = loadConfig(loaded.file);
      } catch (err) {
        return { ok: false, error: `the new config is invalid, the running one is kept:\n${(err as Error).message}` };
      }
      const changed = RESTART_ONLY.filter((k) => JSON.stringify(next.config[k]) !== JSON.stringify(config[k]));
      if (changed.length > 0) return { ok: false, error: `changes to ${changed.join(', ')} need a restart of the agent; the running config is kept` };
      const before = new Map(config.cameras.map((c) => [c.id, JSON.stringify(c)]));
      const after = new Map(next.config.cameras.map((c) => [c.id, c]));
      const removed = [...before.keys()].filter((id) => !after.has(id));
      const added = [...after.keys()].filter((id) => !before.has(id));
      if (added.length > 0) return { ok: false, error: `new cameras (${added.join(', ')}) need a restart of the agent (evidence rings are set up at start); the running config is kept` };
      const modified = [...after.values()].filter((c) => before.get(c.id) !== JSON.stringify(c));
      for (const id of [...removed, ...modified.map((c) => c.id)]) await removeCamera(id);
      config = next.config;
      modified.forEach(addCamera);
      publishStatus();
      await audit.append('config_loaded', { file: next.file, sha256: next.sha256, reload: true, restartedCameras: modified.map((c) => c.id), removedCameras: removed });
      return { ok: true, detail: { sha256: next.sha256, restartedCameras: modified.map((c) => c.id), removedCameras: removed } };
    };
    await publisher.onCommand(
      createCommandRouter({
        topics: publisher.topics,
        boxId,
        log,
        handlers: { applyEventAction: eventAction, cameras: () => [...pipelines.keys()], snapshot, reload },
        audit: (e) => void audit.append('operator_command', { ...e, at: new Date(e.at).toISOString() }),
      }),
    );
    publishStatus();
    log.info({ site: config.site.id, boxId, cameras: config.cameras.length, broker: redact(brokerUrl), model: model.manifest.name }, 'agent started');

    let stopping: Promise<void> | undefined;
    return {
      boxId,
      brokerUrl,
      publisher,
      health,
      stop: (reason) =>
        (stopping ??= (async () => {
          log.info({ reason }, 'agent stopping');
          stopReason = reason;
          // Cleanups run in reverse order of set-up: the loop and cameras stop first, the sink drains into the
          // outbox, the publisher says online:false, then the broker, the detector and the audit log close.
          await closeAll();
        })()),
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

/** Keeps `backupDir` a copy of the audit log; a backup that disagrees with the log is kept and reported loudly. */
function auditBackup(auditDir: string, backupDir: string, log: Logger) {
  return {
    run: async (): Promise<BackupResult> => {
      try {
        await mkdir(backupDir, { recursive: true });
        const r = await backupAuditLog(auditDir, backupDir);
        if (r.diverged.length > 0) log.error({ stage: 'audit', backupDir, diverged: r.diverged }, 'audit files differ from their backup: the originals were edited or cut; the backup is kept');
        return r;
      } catch (err) {
        log.error({ stage: 'audit', backupDir, err: (err as Error).message }, 'audit backup failed');
        return { copied: [], diverged: [] };
      }
    },
  };
}

function cameraList(config: Config): Status['cameras'] {
  return config.cameras.map((c) => ({ id: c.id, ...(c.name ? { name: c.name } : {}) }));
}

function statusOf(config: Config, version: string, boxId: string, startedAt: number, sources: ReadonlyMap<string, CameraSource>): Status {
  return {
    online: true,
    agentVersion: version,
    boxId,
    startedAt: new Date(startedAt).toISOString(),
    at: new Date().toISOString(),
    cameras: config.cameras.map((c) => ({ id: c.id, ...(c.name ? { name: c.name } : {}), ...(sources.get(c.id) ? { state: sources.get(c.id)!.status().state } : {}) })),
  };
}
