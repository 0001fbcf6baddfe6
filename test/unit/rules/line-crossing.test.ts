import { describe, expect, it } from 'vitest';
import { box, det, jitter, seeded, shift } from '../track/scene.ts';
import { camera, Sim } from './sim.ts';

/** A vertical line down the middle of the frame, from top to bottom. */
const zone = (direction: string) =>
  camera([
    {
      id: 'gate',
      polygon: [
        [0, 0],
        [1, 0],
        [1, 1],
        [0, 1],
      ],
      rules: [
        {
          id: 'cross',
          type: 'line_crossing',
          line: [
            [0.5, 0.1],
            [0.5, 0.9],
          ],
          direction,
          endAfterSeconds: 5,
        },
      ],
    },
  ]);
const walker = box(100, 150, 30, 80);
const walkRight = (_: number, t: number) => [det('person', shift(walker, Math.min(t, 10) * 40, 0))];
const walkLeft = (_: number, t: number) => [det('person', shift(walker, 400 - Math.min(t, 10) * 40, 0))];

describe('line_crossing', () => {
  it('reports each crossing once, started at the crossing and ended after endAfterSeconds', () => {
    const sim = new Sim(zone('any'));
    sim.run(15, walkRight);
    expect(sim.states()).toEqual(['started', 'ended']);
    expect(sim.updates[1].reason).toBe('crossing recorded');
    expect(sim.updates[0].objects[0].label).toBe('person');
  });

  it('is direction aware, relative to walking the line from its first point to its second', () => {
    // Walking the line down the image, the image's left half is on the walker's right.
    const fired = (direction: string, walk: typeof walkRight) => {
      const sim = new Sim(zone(direction));
      sim.run(15, walk);
      return sim.states().includes('started');
    };
    expect(fired('left_to_right', walkLeft)).toBe(true);
    expect(fired('left_to_right', walkRight)).toBe(false);
    expect(fired('right_to_left', walkRight)).toBe(true);
    expect(fired('right_to_left', walkLeft)).toBe(false);
  });

  it('jitter of someone standing on the line is no crossing', () => {
    const sim = new Sim(zone('any'));
    const rnd = seeded(2);
    sim.run(60, () => [det('person', jitter(box(305, 150, 30, 80), 0.1, rnd))]);
    expect(sim.updates).toEqual([]);
  });

  it('passing beyond the end of the line is no crossing', () => {
    const sim = new Sim(zone('any'));
    sim.run(15, (_, t) => [det('person', shift(box(100, 270, 30, 80), Math.min(t, 10) * 40, 0))]);
    expect(sim.updates).toEqual([]);
  });
});

describe('a line on its own', () => {
  it('needs no zone polygon: a zone of line_crossing rules may leave it out, and crossings are counted', () => {
    const sim = new Sim(
      camera([
        {
          id: 'gate',
          rules: [
            {
              id: 'cross',
              type: 'line_crossing',
              line: [
                [0.5, 0.1],
                [0.5, 0.9],
              ],
            },
          ],
        },
      ]),
    );
    sim.run(15, walkRight);
    expect(sim.states()).toEqual(['started', 'ended']);
  });

  it('any other rule still needs the polygon, and says so', () => {
    expect(() => camera([{ id: 'yard', rules: [{ id: 'keep-out', type: 'intrusion' }] }])).toThrow(
      /polygon.*required field is missing \(expected a polygon of at least 3 points; only a zone of line_crossing rules may leave it out\)/s,
    );
  });
});
