import { describe, expect, it } from 'vitest';
import { ruleSchema, zoneSchema } from '../../../agent/src/rules/config.ts';
import { describeRule } from '../../../agent/src/rules/kinds/index.ts';

const rule = (r: Record<string, unknown>) => ruleSchema.parse({ id: 'r', ...r });

describe('rule descriptions', () => {
  it('state each rule with its parameters in plain words', () => {
    expect(
      describeRule(
        rule({ type: 'illegal_parking', schedule: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '07:00', to: '20:00' }] }),
      ),
    ).toBe(
      'Illegal parking: a car, truck, bus or motorcycle stationary inside the zone for at least 3 min. ' +
        'In force Mon–Fri 07:00–20:00 (site time); objects scored below 0.45 are ignored; an event ends once the condition has been false for 30 s.',
    );
    expect(describeRule(rule({ type: 'street_vending', minObjects: 2 }))).toBe(
      'Street vending: a stall inside the zone (at least 2 stationary umbrella, dining table, chair, suitcase, banana, apple, orange, broccoli or carrot ' +
        'within 1.5× their height of each other (also goods scored below minScore, from 0.25, found at one place in most frames for 10 s), or static foreground not explained by a tracked person, car, truck, bus, motorcycle or bicycle) ' +
        'with at least 1 person at it (within 1× their height of the stall, standing in the zone or, outside it, standing still; passers-by outside the zone do not count), ' +
        'all of it for at least 5 min. In force at all times; objects scored below 0.45 are ignored; an event ends once the condition has been false for 30 s.',
    );
    expect(describeRule(rule({ type: 'street_vending', stall: 'objects', minPeople: 0, labels: ['umbrella'] }))).toMatch(
      /^Street vending: a stall inside the zone \(at least 1 stationary umbrella within 1\.5× their height of each other \(also goods scored below minScore, from 0\.25, found at one place in most frames for 10 s\)\), all of it for at least 5 min\. /,
    );
    expect(describeRule(rule({ type: 'illegal_parking', warnAfterSeconds: 60 }))).toMatch(
      /^Illegal parking: a car, truck, bus or motorcycle stationary inside the zone for at least 3 min \(a warning after 1 min, the violation after 3 min\)\. /,
    );
    expect(describeRule(rule({ type: 'static_object' }))).toMatch(
      /^Static object: something new \(not in the learned background or the reference scene\) covering at least 400 px that stays still inside the zone for at least 2 min and is not a tracked person, car, truck, bus, motorcycle or bicycle\. /,
    );
    expect(describeRule(rule({ type: 'intrusion' }))).toMatch(/^Intrusion: a person inside the forbidden zone\. /);
    expect(describeRule(rule({ type: 'crowd', minCount: 10, dwellSeconds: 90 }))).toMatch(
      /^Crowd gathering: at least 10 person inside the zone for at least 1 min 30 s\. /,
    );
    expect(
      describeRule(
        rule({
          type: 'line_crossing',
          labels: ['bicycle'],
          line: [
            [0, 0],
            [1, 1],
          ],
          direction: 'left_to_right',
        }),
      ),
    ).toMatch(/^Line crossing: a bicycle crossing the line from left to right/);
    expect(
      describeRule(rule({ type: 'loitering', dwellSeconds: 7200, schedule: [{ days: ['sat', 'sun'], from: '22:00', to: '06:00' }] })),
    ).toMatch(/^Loitering: a person standing still inside the zone for at least 2 h\. In force Sat, Sun 22:00–06:00/);
  });

  it('rejects unknown rule types and a crossing line of one point, saying what is expected', () => {
    expect(() => rule({ type: 'parking' })).toThrow(/expected a rule type: illegal_parking, street_vending/);
    expect(() =>
      rule({
        type: 'line_crossing',
        line: [
          [0.5, 0.5],
          [0.5, 0.5],
        ],
      }),
    ).toThrow(/two different points/);
    expect(() => rule({ type: 'crowd', minCount: 1 })).toThrow(/minCount ≥ 2/);
  });

  it('rejects a normalised crossing line that leaves the frame, with its path', () => {
    const zone = zoneSchema.safeParse({
      id: 'z',
      polygon: [
        [0, 0],
        [1, 0],
        [1, 1],
      ],
      rules: [
        {
          id: 'c',
          type: 'line_crossing',
          line: [
            [0.5, 0],
            [0.5, 1.2],
          ],
        },
      ],
    });
    expect(zone.error?.issues).toEqual([
      expect.objectContaining({ path: ['rules', 0, 'line', 1], message: 'expected a normalised point inside 0..1, got [0.5, 1.2]' }),
    ]);
  });
});
