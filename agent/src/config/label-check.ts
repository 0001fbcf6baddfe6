import type { ConfigProblem } from '../core/errors.ts';
import type { Config } from './schema.ts';

/** What one configured model can produce, for the label checks. */
export interface ModelLabelSource {
  /** As cameras list it: `default` or a name under `models:`. */
  name: string;
  /** Where it is configured: `model` or `models.NAME`. */
  path: string;
  /** The manifest's name, as messages show it. */
  manifestName: string;
  /** The model's own labels, before its label map. */
  labels: readonly string[];
  labelMap: Readonly<Record<string, string>>;
}

/** The labels a set of models produces (after each one's label map), and how messages name them. */
interface Producers {
  sources: readonly ModelLabelSource[];
  produced: Set<string>;
  words: string;
}

function producers(sources: readonly ModelLabelSource[]): Producers {
  const produced = new Set(sources.flatMap((s) => s.labels.map((l) => s.labelMap[l] ?? l)));
  const words = sources.length === 1 ? sources[0].manifestName : `any of ${sources.map((s) => `${s.name} (${s.manifestName})`).join(', ')}`;
  return { sources, produced, words };
}

/**
 * Every label a rule waits for (`labels`, `personLabels`, … of any rule type) must be one the camera's models can
 * produce after their label maps: a misspelt label, or a default a label map renamed, is a rule that never fires.
 * `raw` is the parsed file before defaults, to tell given labels from defaults. Pure.
 */
export function labelProblems(config: Config, raw: unknown, models: readonly ModelLabelSource[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  config.cameras.forEach((cam, c) => {
    const p = producers(models.filter((m) => cam.models.includes(m.name)));
    cam.zones.forEach((zone, z) =>
      zone.rules.forEach((rule, r) => {
        const given = at(raw, ['cameras', c, 'zones', z, 'rules', r]) as Record<string, unknown> | undefined;
        for (const [field, value] of Object.entries(rule)) {
          if (!/labels$/i.test(field) || !Array.isArray(value)) continue;
          const path = `cameras[${c}].zones[${z}].rules[${r}].${field}`;
          const unknown = (value as string[]).map((label, i) => ({ label, i })).filter(({ label }) => !p.produced.has(label));
          if (!unknown.length) continue;
          if (given?.[field] !== undefined) {
            for (const { label, i } of unknown)
              problems.push({
                path: `${path}[${i}]`,
                message: `${JSON.stringify(label)} is not a label ${p.words} produces${mapped(label, p) || suggest(label, p.produced)}`,
              });
          } else {
            const names = unknown.map((u) => JSON.stringify(u.label)).join(', ');
            const renaming = p.sources
              .filter((s) => unknown.some((u) => s.labelMap[u.label] !== undefined))
              .map((s) => `${s.path}.labelMap`);
            const meant = [
              ...new Set((value as string[]).flatMap((l) => p.sources.map((s) => s.labelMap[l] ?? l)).filter((l) => p.produced.has(l))),
            ];
            const example = meant.length ? `, e.g. [${meant.join(', ')}]` : '';
            problems.push({
              path,
              message: `the default ${field} ${names} are not produced by ${p.words}${renaming.length ? ` once ${renaming.join(' and ')} renames them` : ''}: give ${field} explicitly${example}`,
            });
          }
        }
      }),
    );
  });
  const all = producers(models);
  const pixelate = config.evidence.pixelate?.labels ?? [];
  pixelate.forEach((label, i) => {
    if (!all.produced.has(label))
      problems.push({
        path: `evidence.pixelate.labels[${i}]`,
        message: `${JSON.stringify(label)} is not a label ${all.words} produces${mapped(label, all) || suggest(label, all.produced)}`,
      });
  });
  return problems;
}

function mapped(label: string, p: Producers): string {
  const by = p.sources.find((s) => s.labelMap[label] !== undefined);
  return by ? `: ${by.path}.labelMap renames it to ${JSON.stringify(by.labelMap[label])}` : '';
}

/** The closest labels for a typo ("vehical" → "vehicle", "bsu" → "bus"); else where to see them all. */
function suggest(label: string, produced: Set<string>): string {
  const scored = [...produced].map((l) => ({ l, d: editDistance(label.toLowerCase(), l.toLowerCase()) }));
  const best = Math.min(...scored.map((s) => s.d));
  if (best <= Math.max(1, Math.floor(label.length / 3)))
    return `: did you mean ${scored
      .filter((s) => s.d === best)
      .map((s) => JSON.stringify(s.l))
      .join(' or ')}?`;
  return `: expected one of its ${produced.size} labels (jifang detect prints them on a picture)`;
}

/** Edits (insert, delete, substitute, swap two neighbours) from a to b. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

function at(v: unknown, path: (string | number)[]): unknown {
  let cur = v;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return cur;
}
