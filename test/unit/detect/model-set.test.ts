import { describe, expect, test } from 'vitest';
import { mergeModels } from '../../../agent/src/detect/model-set.ts';
import type { Detection } from '../../../agent/src/detect/types.ts';

const det = (model: string, label: string, score: number, x1: number, w = 100): Detection => ({
  model,
  label,
  score,
  classId: 0,
  box: { x1, y1: 100, x2: x1 + w, y2: 200 },
});

describe('mergeModels: one frame’s detections of several models', () => {
  test('the same object seen with the same label by two models is one detection, the better one, naming its model', () => {
    const merged = mergeModels([[det('default', 'person', 0.6, 100)], [det('site', 'person', 0.8, 105)]], 0.5);
    expect(merged.map((d) => [d.model, d.label, d.score])).toEqual([['site', 'person', 0.8]]);
  });

  test('different labels on the same place are both kept (a stall under a person), best score first', () => {
    const merged = mergeModels([[det('default', 'person', 0.7, 100)], [det('stalls', 'stall', 0.9, 100)]], 0.5);
    expect(merged.map((d) => [d.model, d.label])).toEqual([
      ['stalls', 'stall'],
      ['default', 'person'],
    ]);
  });

  test('same-label boxes that barely overlap, and one model’s own overlapping boxes, are all kept', () => {
    const merged = mergeModels([[det('default', 'car', 0.9, 0), det('default', 'car', 0.5, 10)], [det('site', 'car', 0.8, 80)]], 0.5);
    expect(merged.map((d) => [d.model, d.score])).toEqual([
      ['default', 0.9],
      ['site', 0.8],
      ['default', 0.5],
    ]);
  });
});
