import type { DetectorConfig } from './config.ts';

/** Per model class: its score threshold, its domain label, and the NMS group (one per domain label). */
export interface ClassPlan {
  thresholds: Float32Array;
  labels: readonly string[];
  group: Int32Array;
}

/**
 * Resolves the label map and per-label thresholds against the model's labels. A key that names no label is an
 * error (a typo would otherwise silently leave a class at the default threshold or unmapped).
 */
export function planClasses(
  modelLabels: readonly string[],
  cfg: Pick<DetectorConfig, 'scoreThreshold' | 'classThresholds' | 'labelMap'>,
): ClassPlan {
  const known = new Set(modelLabels);
  const list = (xs: Iterable<string>) => [...xs].map((x) => `"${x}"`).join(', ');
  for (const key of Object.keys(cfg.labelMap)) {
    if (!known.has(key)) throw new Error(`model.labelMap: "${key}" is not a label of the model (labels: ${list(known)})`);
  }
  const labels = modelLabels.map((l) => cfg.labelMap[l] ?? l);
  const domain = new Set(labels);
  for (const key of Object.keys(cfg.classThresholds)) {
    if (!known.has(key) && !domain.has(key)) {
      throw new Error(`model.classThresholds: "${key}" is neither a model label nor a mapped label (mapped labels: ${list(domain)})`);
    }
  }
  const groupOf = new Map([...domain].map((l, i) => [l, i]));
  return {
    thresholds: Float32Array.from(modelLabels, (l, c) => cfg.classThresholds[l] ?? cfg.classThresholds[labels[c]] ?? cfg.scoreThreshold),
    labels,
    group: Int32Array.from(labels, (l) => groupOf.get(l) ?? 0),
  };
}
