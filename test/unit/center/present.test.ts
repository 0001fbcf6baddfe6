import { describe, expect, it } from 'vitest';
import { CENTER_PAGES } from '../../../agent/src/center/client/pages/table.ts';
import { parseCenterConfig } from '../../../agent/src/center/config.ts';
import { centerPageData, presentBox, presentEvent, presentForwarders } from '../../../agent/src/center/present.ts';
import type { BoxRow, EventRow } from '../../../agent/src/center/wire.ts';

/** What the center's pages receive, built from archive rows and the config (no HTTP, no database). */
const base = { mqtt: { url: 'mqtt://127.0.0.1:1883' }, storage: { kind: 'sqlite', path: 'c.db' }, users: 'users' };
const config = (extra: Record<string, unknown> = {}) => parseCenterConfig({ ...base, ...extra }, 'center.yaml', '/etc/jifang');

const row: EventRow = {
  id: 'ev 1',
  site: 'box-a',
  camera: 'cam-1',
  zone: 'kerb',
  cameraName: null,
  zoneName: null,
  type: 'illegal_parking',
  categoryCode: null,
  categoryName: null,
  state: 'started',
  seq: 0,
  startedAt: 0,
  observedAt: 0,
  endedAt: null,
  dwellSeconds: 30,
  lon: 121.4737,
  lat: 31.2304,
  address: null,
  firstSnapshot: null,
  lastSnapshot: null,
  clearedSnapshot: null,
  operatorAction: null,
  operatorBy: null,
  operatorUnit: null,
  operatorAt: null,
  dispatchedAt: null,
  firstSeen: 0,
  rev: 3,
  changedAt: 0,
  plate: null,
  rule: null,
};

describe('center presentation', () => {
  it('sends events where boxes report them, in WGS-84 whatever the tiles (the page shifts them); the thumbnail follows the revision', () => {
    expect(presentEvent(row)).toMatchObject({
      map: [121.4737, 31.2304],
      thumbnail: '/api/events/ev%201/thumbnail?site=box-a&rev=3',
    });
  });

  it('places a box only once its status said where it stands', () => {
    const box: BoxRow = {
      site: 'box-a',
      boxId: null,
      online: true,
      agentVersion: null,
      startedAt: null,
      statusAt: null,
      lastContact: 0,
      changedAt: 0,
      location: null,
      cameras: [],
    };
    expect(presentBox(box).map).toBeNull();
    expect(presentBox({ ...box, location: { lat: 31.2, lon: 121.4 } }).map).toEqual([121.4, 31.2]);
  });

  it('shows an offline box’s cameras offline, whatever state they last reported', () => {
    const camera = { camera: 'cam-1', name: null, state: 'streaming', reason: null, healthAt: null, health: null };
    const box: BoxRow = {
      site: 'box-a',
      boxId: null,
      online: false,
      agentVersion: null,
      startedAt: null,
      statusAt: null,
      lastContact: 0,
      changedAt: 0,
      location: null,
      cameras: [camera],
    };
    expect(presentBox(box).cameras).toMatchObject([{ camera: 'cam-1', state: 'offline' }]);
    expect(presentBox({ ...box, online: true }).cameras).toMatchObject([{ camera: 'cam-1', state: 'streaming' }]);
  });

  it('lists every forwarder, counts zero before its first delivery, and never shows the credentials in its URL', () => {
    const cfg = config({
      forwarders: [
        { id: 'city', name: 'City platform', url: 'https://user:secret@city.example/hook' },
        { id: 'district', url: 'https://district.example/hook' },
      ],
    });
    const stats = [{ forwarder: 'city', pending: 1, delivered: 5, failed: 0, lastError: null, lastDeliveredAt: 9 }];
    const views = presentForwarders(cfg, stats, 'admin');

    expect(views.map((v) => [v.id, v.name, v.url])).toEqual([
      ['city', 'City platform', 'https://***@city.example/hook'],
      ['district', 'district', 'https://district.example/hook'],
    ]);
    expect(views.map((v) => v.stats)).toEqual([
      stats[0],
      { forwarder: 'district', pending: 0, delivered: 0, failed: 0, lastError: null, lastDeliveredAt: null },
    ]);
  });

  it('shows a webhook whose token is in its URL to an admin only; other roles see its host', () => {
    const cfg = config({
      forwarders: [
        { id: 'dingtalk', url: 'https://oapi.dingtalk.com/robot/send?access_token=dt-token' },
        { id: 'feishu', url: 'https://open.feishu.cn/open-apis/bot/v2/hook/fs-token' },
      ],
    });
    for (const role of ['operator', 'dispatcher'])
      expect(presentForwarders(cfg, [], role).map((v) => v.url)).toEqual(['https://oapi.dingtalk.com/…', 'https://open.feishu.cn/…']);
    expect(presentForwarders(cfg, [], 'admin').map((v) => v.url)).toEqual(cfg.forwarders.map((f) => f.url));
  });

  it('tells a page what the user’s role may do and which units can be sent', () => {
    const data = centerPageData(config({ units: ['patrol-1', 'patrol-2'] }), 'queue', { user: 'wang', role: 'operator' });
    expect(data).toMatchObject({ view: 'queue', user: 'wang', role: 'operator', units: ['patrol-1', 'patrol-2'], offsetMinutes: 480 });
    expect(data.actionRoles.dispatch).toEqual(['dispatcher', 'supervisor', 'admin']);
    expect(data.actionRoles.false_positive).toEqual(['operator', 'admin']);
  });

  it('the page table gives each page its own path, the queue the root', () => {
    expect(new Set(CENTER_PAGES.map((p) => p.path)).size).toBe(CENTER_PAGES.length);
    expect(CENTER_PAGES.find((p) => p.id === 'queue')?.path).toBe('/');
  });
});
