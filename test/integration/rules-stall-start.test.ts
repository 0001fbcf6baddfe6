import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Alert, alertSchema } from '../../agent/src/contract/alert.ts';
import { isFaintTrack } from '../../agent/src/contract/track-id.ts';
import { type AgentProcess, runAgent } from '../helpers/agent-process.ts';
import type { Received } from '../helpers/mqtt-subscriber.ts';
import { defaultManifest, sample } from '../helpers/paths.ts';
import { useStage } from '../helpers/stage.ts';

/**
 * Stalls that stand in view when the box starts (issue 26): the real agent (`jifang run`, default motion-gated
 * detection at 640×360), the real model, real photos served as cameras by the real RTSP server, real mosquitto.
 * - `market`: street.png, whose right pavement has a food cart under umbrellas with people at it from the first
 *   frame, and men cut from bus.jpg walking across in front of it; its kerb (a parked taxi and cars) and its
 *   crossing (passers-by) are zones with the same rules, where nothing may be found.
 * - `sf`: street-sf.jpg's pavement: a bench, a parked car, a bicycle, people walking, handbags; no stall.
 * - `bus-stop`: bus.jpg: people queueing at a bus; no stall.
 */
const site = 'stall-start';
const rect = (x1: number, y1: number, x2: number, y2: number) => [
  [x1, y1],
  [x2, y1],
  [x2, y2],
  [x1, y2],
];
/** The stall-like presets, each with a 15 s dwell. */
const stallRules = [
  { id: 'vending', preset: 'street_vending', dwellSeconds: 15 },
  { id: 'goods', preset: 'out_of_shop_trading', dwellSeconds: 15 },
  { id: 'parasol', preset: 'umbrella', dwellSeconds: 15 },
];

function agentConfig(dir: string, url: (mount: string) => string, brokerUrl: string) {
  const cam = (id: string, zones: { id: string; polygon: number[][] }[]) => ({
    id,
    url: url(`/${id}`),
    analysis: { fps: 2, width: 640, height: 360 },
    zones: zones.map((z) => ({ ...z, rules: stallRules })),
  });
  return {
    site: { id: site, name: 'Stall start test', timezone: 'Asia/Shanghai', location: { lat: 31.2304, lon: 121.4737 }, boxId: 'stall-box' },
    mqtt: { url: brokerUrl, healthIntervalSeconds: 2 },
    model: { manifest: defaultManifest },
    dataDir: join(dir, 'data'),
    evidence: { clip: { enabled: false } },
    events: { stateIntervalSeconds: 1 },
    cameras: [
      cam('market', [
        { id: 'pavement', polygon: rect(0.61, 0.53, 1, 0.88) },
        { id: 'kerb', polygon: rect(0, 0.6, 0.45, 1) },
        { id: 'crossing', polygon: rect(0.45, 0.6, 0.61, 1) },
      ]),
      cam('sf', [{ id: 'pavement', polygon: rect(0, 0.3, 1, 1) }]),
      cam('bus-stop', [{ id: 'queue', polygon: rect(0, 0.3, 1, 1) }]),
    ],
  };
}

/** A still as a 16:9 H.264 stream at 2 fps, long enough for the test (the server starts every session at its beginning). */
function encode(dir: string, name: string, input: string, filter: string): string {
  const out = join(dir, `${name}.mp4`);
  execFileSync('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-loop', '1', '-framerate', '2', '-t', '240', '-i', sample(input)],
    ...['-loop', '1', '-framerate', '2', '-t', '240', '-i', sample('bus.jpg')],
    ...['-filter_complex', filter, '-map', '[out]'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '4', '-pix_fmt', 'yuv420p', '-y', out],
  ]);
  return out;
}
/** A man from bus.jpg, `width` px wide, crossing at `y` every 10 s. */
const walker = (width: number, y: number) =>
  `[1:v]crop=125:452:221:401,scale=${width}:-2[man];[bg][man]overlay=x='-${width}+160*mod(t,10)':y=${y}[out]`;

const alertOf = (m: Received): Alert => alertSchema.parse(JSON.parse(m.payload.toString()));

describe('stalls standing in view when the box starts (real agent, RTSP, model, mosquitto)', () => {
  const stage = useStage({
    prefix: 'jifang-stall-start',
    streams: (dir) => ({
      '/market': encode(dir, 'market', 'street.png', `[0:v]scale=1280:720,format=yuv420p[bg];${walker(70, 420)}`),
      '/sf': encode(dir, 'sf', 'street-sf.jpg', `[0:v]crop=1330:748:0:400,scale=1280:720,format=yuv420p[bg];${walker(60, 300)}`),
      '/bus-stop': encode(dir, 'bus-stop', 'bus.jpg', '[0:v]scale=-2:720,pad=1280:720:(ow-iw)/2:0,format=yuv420p[out]'),
    }),
    topic: `jifang/v1/${site}/#`,
    setupTimeoutMs: 400_000,
  });
  let agent: AgentProcess | undefined;
  afterEach(async () => {
    await agent?.stop('SIGKILL');
    agent = undefined;
  });

  it('the stall, its goods and its umbrella: one event each after the dwell, continued after a restart; the kerb, the crossing, a pavement with a bench and a queue at a bus: nothing', async () => {
    const runDir = mkdtempSync(join(stage.dir, 'run-'));
    const alerts = () => stage.sub.messages.filter((m) => m.topic.endsWith('/events')).map(alertOf);
    const explain = (err: Error) =>
      new Error(
        `${err.message.slice(0, 300)}\nevents:\n${alerts()
          .map(
            (a) =>
              `${a.camera} ${a.zone} ${a.rule.id} ${a.state} ${a.reason ?? ''} ${a.objects.map((o) => `${o.label} ${o.score}`).join(', ')}`,
          )
          .join('\n')}\nagent output (tail):\n${agent?.lines.slice(-20).join('\n')}\n${agent
          ?.stderr()
          .split('\n')
          .filter((l) => /scene|warn|"level":[45]0/.test(l))
          .join('\n')
          .slice(-3000)}`,
      );
    const start = () =>
      (agent = runAgent(
        runDir,
        agentConfig(runDir, (m) => stage.rtsp.url(m), stage.broker.url),
      ));
    const startedAt = Date.now();
    start();

    const startedMsgs = await stage.sub
      .waitFor((m) => m.topic.endsWith('/events') && alertOf(m).state === 'started', 3, 300_000)
      .catch((e: Error) => Promise.reject(explain(e)));
    const started = startedMsgs.map(alertOf);
    expect(started.map((a) => `${a.camera}/${a.zone}/${a.rule.id}`).sort(), explain(new Error('started')).message).toEqual([
      'market/pavement/goods',
      'market/pavement/parasol',
      'market/pavement/vending',
    ]);
    for (const a of started) {
      expect(a.dwellSeconds).toBeGreaterThanOrEqual(15);
      expect(Date.parse(a.observedAt) - startedAt).toBeGreaterThanOrEqual(15_000);
      expect(a.objects.some((o) => o.label === 'umbrella')).toBe(true);
    }
    const vending = started.find((a) => a.rule.id === 'vending')!;
    expect(vending.category).toMatchObject({ id: 'street_vending', name: '占道经营' });
    expect(vending.objects.some((o) => o.label === 'person')).toBe(true);
    // Found through weak evidence (faint goods, no tracker's number): the model did not score these umbrellas high
    // enough, often enough, to track them. Their last score depends on which frames the loaded machine analysed.
    expect(
      vending.objects.filter((o) => o.label === 'umbrella').every((o) => isFaintTrack(o.trackId)),
      JSON.stringify(started.map((a) => [a.rule.id, a.objects.map((o) => [o.trackId, o.label, o.score])])),
    ).toBe(true);

    // A crash while the stall stands: the restarted agent finds it again and goes on with the same events.
    await new Promise((r) => setTimeout(r, 2_500));
    expect(await agent!.stop('SIGKILL')).toBe('SIGKILL');
    start();
    const continued = await stage.sub
      .waitFor((m) => m.topic.endsWith('/events') && /continued after the agent restarted/.test(alertOf(m).reason ?? ''), 3, 240_000)
      .catch((e: Error) => Promise.reject(explain(e)));
    expect(continued.map((m) => alertOf(m).id).sort()).toEqual(started.map((a) => a.id).sort());

    // Well past every dwell since the start: still those three events and nothing else, none ended.
    await new Promise((r) => setTimeout(r, 20_000));
    const all = alerts();
    expect(
      all
        .filter((a) => a.state === 'started')
        .map((a) => a.id)
        .sort(),
      explain(new Error('after the restart')).message,
    ).toEqual(started.map((a) => a.id).sort());
    expect(all.filter((a) => a.state === 'ended')).toEqual([]);
    expect(await agent!.stop('SIGTERM')).toBe(0);
  }, 900_000);
});
