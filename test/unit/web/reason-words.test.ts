import { describe, expect, it } from 'vitest';
import type { Episode } from '../../../agent/src/rules/episode.ts';
import { RULE_KINDS } from '../../../agent/src/rules/kinds/index.ts';
import { endReason, type FrameFacts, type LifecycleSettings } from '../../../agent/src/rules/lifecycle.ts';
import { notSeenReason, restoreVerdict, type SavedEvent } from '../../../agent/src/rules/restore.ts';
import { operatorIn, reasonIn } from '../../../agent/src/web/reason-words.ts';
import { camera, kerbCamera, Sim } from '../rules/sim.ts';
import { box, det, shift } from '../track/scene.ts';

/** Parameters a rule type cannot do without (the rest are its defaults), and variants whose words differ. */
const REQUIRED: Record<string, Record<string, unknown>> = {
  crowd: { minCount: 5 },
  line_crossing: {
    line: [
      [0.1, 0.5],
      [0.9, 0.5],
    ],
  },
};
const VARIANTS: Record<string, unknown>[] = [
  {},
  { labels: ['car', 'truck', 'tricycle'] },
  { mode: 'in_zone' },
  { minPeople: 0 },
  { minPeople: 2, personLabels: ['person', 'bicycle'] },
  { schedule: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '07:00', to: '20:00' }] },
  {
    schedule: [
      { days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], from: '22:00', to: '06:00' },
      { days: ['sat'], from: '09:00', to: '12:00' },
    ],
  },
];

/** Every end reason `endReason` gives for every rule type and variant: the kind's lapse, its subject gone, out of schedule. */
function kindReasons(): string[] {
  const ep = { anchorIds: new Set([1]) } as Episode;
  const facts: FrameFacts[] = [
    { open: true, seen: new Set([1]) },
    { open: true, seen: new Set() },
    { open: false, seen: new Set([1]) },
  ];
  return RULE_KINDS.flatMap((kind) => {
    const type = kind.schema.shape.type.value;
    return VARIANTS.flatMap((variant) => {
      const parsed = kind.schema.safeParse({ type, id: 'r1', ...REQUIRED[type], ...variant });
      if (!parsed.success) return [];
      const settings = { kind, rule: parsed.data } as unknown as LifecycleSettings;
      return facts.map((f) => endReason(settings, ep, f));
    });
  });
}

const spot = box(100, 220, 120, 60);
const parked = () => [det('car', spot)];
const by = { by: 'operator-7' };

function startedEvent(sim: Sim): string {
  sim.run(40, parked);
  const started = sim.updates.find((u) => u.state === 'started');
  if (!started) throw new Error('expected the parked car to start an event');
  return started.eventId;
}

/** The reasons of a whole life through the real rules: warning, violation, reminder, cleared, the operator's endings, a removed rule. */
function lifeReasons(): string[] {
  const warned = new Sim(kerbCamera({ dwellSeconds: 120, warnAfterSeconds: 30 }));
  warned.run(60, parked);
  warned.run(8, (_, t) => [det('car', shift(spot, t * 60, 0))]);
  warned.run(60, () => []);
  warned.run(200, parked);

  const dispatched = new Sim(kerbCamera());
  const id = startedEvent(dispatched);
  dispatched.rules.applyOperatorAction(id, 'dispatch', dispatched.at, by);
  dispatched.run(150, parked);
  dispatched.run(20, (_, t) => (t < 3 ? [det('car', shift(spot, t * 150, 0))] : []));

  const operated = (['false_positive', 'resolve'] as const).map((action) => {
    const sim = new Sim(kerbCamera());
    return sim.rules.applyOperatorAction(startedEvent(sim), action, sim.at, by);
  });
  const removed = new Sim(kerbCamera());
  startedEvent(removed);
  const retired = removed.rules.reconfigure(camera([]), removed.at);

  return [...warned.updates, ...dispatched.updates, ...operated.flatMap((r) => (r?.ok && r.update ? [r.update] : [])), ...retired]
    .map((u) => u.reason)
    .filter((r): r is string => r !== undefined);
}

/** The restart's reasons: an event taken over by the next run, and those restore.ts ends. */
function restartReasons(): string[] {
  const before = new Sim(kerbCamera());
  startedEvent(before);
  const after = new Sim(kerbCamera(), 7_000);
  after.stepWallClock(before.now + 20_000 - 7_000);
  after.rules.restoreOpenEvents(before.rules.saveOpenEvents(), { graceMs: 20_000, maxDowntimeMs: 3_600_000 });
  const resumed = after.run(10, parked).flatMap((u) => (u.reason ? [u.reason] : []));
  const saved = { lastSeenWall: Date.UTC(2025, 4, 6, 2) } as SavedEvent;
  const verdict = restoreVerdict(saved, saved.lastSeenWall + 2 * 3_600_000, 3_600_000);
  return [...resumed, ...(verdict.resume ? [] : [verdict.reason]), notSeenReason(saved, 20_000, 95_000)];
}

/** What may stay in Latin letters: ids (rule, zone, user) and ISO times; a rule's type is said in words. */
const leftInEnglish = (zh: string): string[] =>
  zh
    .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '')
    .replace(/“[\w-]+”|operator-7/g, '')
    .match(/[A-Za-z]{2,}/g) ?? [];

describe('the reasons the rules give, in Chinese', () => {
  const reasons = [...new Set([...kindReasons(), ...lifeReasons(), ...restartReasons()])];

  it('the rules produce every form of reason (lapses, left, out of schedule, warning, dispatch, operator, config, restart)', () => {
    for (const start of [
      'warning only',
      'violation:',
      'still present',
      'cleared ',
      'marked as a false positive',
      'resolved by',
      'config_changed',
      'not_seen_after_restart',
      'continued after the agent restarted',
      'the rule is out of schedule',
    ])
      expect(
        reasons.some((r) => r.startsWith(start)),
        start,
      ).toBe(true);
    expect(reasons.some((r) => / left \(not seen for /.test(r))).toBe(true);
  });

  it.each(reasons)('%s', (reason) => {
    const zh = reasonIn(reason, 'zh');
    expect(leftInEnglish(zh), zh).toEqual([]);
  });

  it('numbers, durations, labels and users carry over', () => {
    expect(reasonIn('warning only (gone before 2 min): the car or truck left (not seen for 1 min 30 s)', 'zh')).toBe(
      '仅警告（未满 2 分钟即消失）：小汽车或货车已离开（1 分 30 秒未再出现）',
    );
    expect(reasonIn('continued after the agent restarted (down 3725 s)', 'zh')).toBe('设备重启后继续（中断 1 小时 2 分钟）');
    expect(reasonIn('resolved by li', 'zh')).toBe('已由 li 处置完毕');
    expect(reasonIn('fewer than 5 person inside the zone', 'zh')).toBe('区域内行人少于 5 个');
    expect(reasonIn('config_changed: rule "kerb-park" (illegal_parking) of zone "kerb" was removed from the config', 'zh')).toBe(
      '配置已变更：区域“kerb”的违章停车规则“kerb-park”已从配置中删除',
    );
  });

  it('English pages keep the box words; a reason the table does not know stays as it is', () => {
    expect(reasonIn('resolved by li', 'en')).toBe('resolved by li');
    expect(reasonIn('a reason from a newer box', 'zh')).toBe('a reason from a newer box');
  });
});

describe('an operator action in words', () => {
  it('says the action in the page language with the user apart', () => {
    expect(operatorIn({ action: 'ack', by: 'li' }, 'zh')).toBe('已确认（li）');
    expect(operatorIn({ action: 'false_positive', by: 'li' }, 'zh')).toBe('已标记误报（li）');
    expect(operatorIn({ action: 'ack', by: 'li' }, 'en')).toBe('ack (li)');
  });
});
