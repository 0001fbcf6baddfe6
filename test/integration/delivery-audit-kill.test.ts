import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listAuditFiles } from '../../agent/src/audit/audit-log.ts';
import { verifyAuditFiles } from '../../agent/src/audit/verify.ts';
import { type Started, startProcess } from '../helpers/child.ts';
import { startMosquitto } from '../helpers/mosquitto.ts';
import { type Subscriber, subscribe } from '../helpers/mqtt-subscriber.ts';
import { projectRoot } from '../helpers/paths.ts';

const site = 'site-d';
const fixture = join(projectRoot, 'test/integration/fixtures/delivery-audit-process.ts');
const running: { stop(signal?: NodeJS.Signals): Promise<void> }[] = [];
const subs: Subscriber[] = [];
afterEach(async () => {
  for (const s of subs.splice(0)) await s.close();
  for (const r of running.splice(0).reverse()) await r.stop('SIGKILL');
});

const envFor = (spec: object) => ({ ...process.env, JIFANG_TEST_DELIVERY: JSON.stringify({ site, ...spec }) });

/** Runs the fixture until it kills itself at its kill point; resolves with its exit signal. */
function runUntilKilled(spec: object): Promise<string> {
  const proc = spawn(process.execPath, ['--import', 'tsx', fixture], { env: envFor(spec), cwd: projectRoot, stdio: 'ignore' });
  return new Promise((resolve) => proc.once('exit', (code, sig) => resolve(sig ?? `exit ${code}`)));
}

async function deliveryRecords(dataDir: string): Promise<{ eventId: string }[]> {
  const files = await listAuditFiles(join(dataDir, 'audit'));
  expect(await verifyAuditFiles(files)).toMatchObject({ ok: true });
  return files
    .flatMap((f) => readFileSync(f, 'utf8').trim().split('\n'))
    .map((l) => JSON.parse(l) as { kind: string; data: { eventId: string } })
    .filter((r) => r.kind === 'delivery')
    .map((r) => r.data);
}

describe('a delivery is audited before its outbox row is deleted (publisher and audit log in a process killed with SIGKILL)', () => {
  for (const killWhen of ['before', 'after'] as const) {
    it(`killed ${killWhen} the 3rd delivery's audit record is on disk: after a restart every alert the broker took has its record`, async () => {
      const broker = await startMosquitto();
      running.push(broker);
      const sub = await subscribe(broker.url, `jifang/v1/${site}/#`);
      subs.push(sub);
      const dataDir = mkdtempSync(join(tmpdir(), 'jifang-delivery-'));

      expect(await runUntilKilled({ url: broker.url, dataDir, alerts: 6, killAtDeliveryRecord: 3, killWhen })).toBe('SIGKILL');
      const restarted: Started = await startProcess(process.execPath, ['--import', 'tsx', fixture], /DRAINED/, {
        env: envFor({ url: broker.url, dataDir, alerts: 0 }),
        cwd: projectRoot,
        timeoutMs: 60_000,
      });
      running.push(restarted);

      const received = new Set(
        sub.messages.filter((m) => m.topic.endsWith('/events')).map((m) => (JSON.parse(m.payload.toString()) as { id: string }).id),
      );
      expect(received.size).toBeGreaterThanOrEqual(3);
      const audited = new Set((await deliveryRecords(dataDir)).map((r) => r.eventId));
      const missing = [...received].filter((id) => !audited.has(id));
      expect(missing, 'alerts the broker took without a delivery record').toEqual([]);
    }, 150_000);
  }
});
