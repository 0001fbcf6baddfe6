import { describe, expect, it } from 'vitest';
import { parseCenterConfig } from '../../../agent/src/center/config.ts';
import { renderTemplate } from '../../../agent/src/center/forward.ts';
import { centerSubscriptions, parseCenterTopic } from '../../../agent/src/center/topics.ts';

describe('center config', () => {
  const ok = { mqtt: { url: 'mqtt://127.0.0.1:1883' }, storage: { kind: 'sqlite', path: 'c.db' }, users: 'users' };
  it('resolves paths against the config folder and fills defaults', () => {
    const cfg = parseCenterConfig(ok, '/etc/jifang/center.yaml', '/etc/jifang');
    expect(cfg).toMatchObject({
      storage: { kind: 'sqlite', path: '/etc/jifang/c.db' },
      users: '/etc/jifang/users',
      http: { host: '127.0.0.1', port: 8780 },
      mqtt: { protocolVersion: 5, root: 'jifang/v1' },
    });
  });
  it("keeps its files (snapshots) in dataDir, else $JIFANG_DATA_DIR, else the SQLite database's folder, else data", () => {
    const pgStorage = { kind: 'postgres', url: 'postgres://jifang@db/jifang' };
    const before = process.env.JIFANG_DATA_DIR;
    try {
      delete process.env.JIFANG_DATA_DIR;
      expect(parseCenterConfig({ ...ok, dataDir: 'files' }, 'c.yaml', '/etc/jifang').dataDir).toBe('/etc/jifang/files');
      expect(parseCenterConfig({ ...ok, storage: { kind: 'sqlite', path: '/var/db/c.db' } }, 'c.yaml', '/etc/jifang').dataDir).toBe(
        '/var/db',
      );
      expect(parseCenterConfig({ ...ok, storage: pgStorage }, 'c.yaml', '/etc/jifang').dataDir).toBe('/etc/jifang/data');
      process.env.JIFANG_DATA_DIR = '/var/lib/jifang';
      expect(parseCenterConfig({ ...ok, storage: pgStorage }, 'c.yaml', '/etc/jifang').dataDir).toBe('/var/lib/jifang');
    } finally {
      if (before === undefined) delete process.env.JIFANG_DATA_DIR;
      else process.env.JIFANG_DATA_DIR = before;
    }
  });
  it('names the file, the field path, the bad value and the expected form', () => {
    expect(() => parseCenterConfig({ ...ok, storage: { kind: 'postgres', url: 'mysql://x' } }, 'center.yaml', '/')).toThrow(
      /center\.yaml: storage\.url: expected a URL like postgres:\/\//,
    );
    expect(() => parseCenterConfig({ ...ok, mqtt: { url: 'mqtt://h', protocolVersion: 4, sharedGroup: 'g' } }, 'center.yaml', '/')).toThrow(
      /center\.yaml: mqtt\.sharedGroup: shared subscriptions need MQTT 5/,
    );
    expect(() =>
      parseCenterConfig(
        {
          ...ok,
          forwarders: [
            { id: 'a', url: 'http://x' },
            { id: 'a', url: 'http://y' },
          ],
        },
        'center.yaml',
        '/',
      ),
    ).toThrow(/forwarders\[1\]\.id: duplicate forwarder id "a"/);
    expect(() => parseCenterConfig({ ...ok, map: { tileUrl: 'https://tiles/x.png' } }, 'center.yaml', '/')).toThrow(
      /map\.tileUrl: expected an http\(s\) URL with \{z\}, \{x\} and \{y\}/,
    );
  });
});

describe('center topics', () => {
  it('reads the contract topics of any box', () => {
    expect(parseCenterTopic('jifang/v1', 'jifang/v1/s1/cam/events')).toEqual({ kind: 'event', site: 's1', camera: 'cam' });
    expect(parseCenterTopic('jifang/v1', 'jifang/v1/s1/cam/events/e-1/snapshot')).toEqual({
      kind: 'snapshot',
      site: 's1',
      camera: 'cam',
      eventId: 'e-1',
    });
    expect(parseCenterTopic('jifang/v1', 'jifang/v1/s1/status')).toEqual({ kind: 'status', site: 's1' });
    expect(parseCenterTopic('jifang/v1', 'jifang/v1/s1/cmd-result/center-a')).toEqual({ kind: 'cmd-result', site: 's1' });
    expect(parseCenterTopic('jifang/v1', 'jifang/v1/s1/cmd/event').kind).toBe('ignored');
    expect(parseCenterTopic('jifang/v1', 'jifang/v1/s1/cam/snapshot').kind).toBe('ignored');
    expect(parseCenterTopic('jifang/v1', 'jifang/v1/s1/metrics').kind).toBe('ignored');
  });
  it("places a camera named like one of the box's own topic words by the level after it", () => {
    expect(parseCenterTopic('jifang/v1', 'jifang/v1/s1/metrics/events')).toEqual({ kind: 'event', site: 's1', camera: 'metrics' });
    expect(parseCenterTopic('jifang/v1', 'jifang/v1/s1/status/health')).toEqual({ kind: 'health', site: 's1', camera: 'status' });
    expect(parseCenterTopic('jifang/v1', 'jifang/v1/s1/metrics/events/e-1/snapshot')).toMatchObject({
      kind: 'snapshot',
      camera: 'metrics',
    });
  });
  it('names what it cannot place as unknown (counted and logged by ingest), not as a topic to ignore', () => {
    for (const t of ['jifang/v1/s1', 'jifang/v1/s1/cam', 'jifang/v1/s1/cam/events/e-1', 'jifang/v1/s1/cam/alerts', 'other/s1/status'])
      expect(parseCenterTopic('jifang/v1', t).kind, t).toBe('unknown');
  });
  it("shares the per-event traffic and the cameras' health, and takes the retained status itself", () => {
    expect(centerSubscriptions('jifang/v1', 'g', 'c1')).toEqual([
      '$share/g/jifang/v1/+/+/events',
      '$share/g/jifang/v1/+/+/events/+/snapshot',
      '$share/g/jifang/v1/+/cmd-result',
      '$share/g/jifang/v1/+/+/health',
      'jifang/v1/+/status',
      'jifang/v1/+/cmd-result/c1',
    ]);
    expect(centerSubscriptions('jifang/v1', undefined, 'c1')).toEqual(['jifang/v1/+/#']);
  });
  it('with an alert lane, the lane takes the alerts and snapshots and the main session the rest', () => {
    expect(centerSubscriptions('jifang/v1', 'g', 'c1-alerts', 'alerts')).toEqual([
      '$share/g/jifang/v1/+/+/events',
      '$share/g/jifang/v1/+/+/events/+/snapshot',
    ]);
    expect(centerSubscriptions('jifang/v1', 'g', 'c1', 'main')).toEqual([
      '$share/g/jifang/v1/+/cmd-result',
      '$share/g/jifang/v1/+/+/health',
      'jifang/v1/+/status',
      'jifang/v1/+/cmd-result/c1',
    ]);
    expect(centerSubscriptions('jifang/v1', undefined, 'c1-alerts', 'alerts')).toEqual([
      'jifang/v1/+/+/events',
      'jifang/v1/+/+/events/+/snapshot',
    ]);
    expect(centerSubscriptions('jifang/v1', undefined, 'c1', 'main')).toEqual(['jifang/v1/+/#']);
  });
});

describe('forwarder templates', () => {
  const alert = {
    id: 'e1',
    seq: 2,
    category: { code: 'A0101', name: '占道经营' },
    location: { coordinates: [121.47, 31.23] },
    address: '1 Demo St',
  };
  it("keeps a whole placeholder's type, writes text inside strings, and leaves missing fields empty", () => {
    expect(
      renderTemplate(
        {
          code: '{{category.code}}',
          lon: '{{location.coordinates.0}}',
          title: '{{category.name}} at {{address}}',
          plate: '{{plate.text}}',
          n: 3,
          list: ['{{id}}'],
        },
        alert,
      ),
    ).toEqual({
      code: 'A0101',
      lon: 121.47,
      title: '占道经营 at 1 Demo St',
      plate: null,
      n: 3,
      list: ['e1'],
    });
  });
});
