import type { ConfigProblem } from '../core/errors.ts';
import type { Config } from './schema.ts';

/**
 * Every label a rule waits for (`labels`, `personLabels`, … of any rule type) must be one the configured model can
 * produce after `model.labelMap`: a misspelt label, or a default the label map renamed, is a rule that never fires.
 * `raw` is the parsed file before defaults, to tell given labels from defaults. Pure.
 */
export function labelProblems(config: Config, raw: unknown, modelLabels: readonly string[], modelName: string): ConfigProblem[] {
  const produced = new Set(modelLabels.map((l) => config.model.labelMap[l] ?? l));
  const problems: ConfigProblem[] = [];
  config.cameras.forEach((cam, c) =>
    cam.zones.forEach((zone, z) =>
      zone.rules.forEach((rule, r) => {
        const given = at(raw, ['cameras', c, 'zones', z, 'rules', r]) as Record<string, unknown> | undefined;
        for (const [field, value] of Object.entries(rule)) {
          if (!/labels$/i.test(field) || !Array.isArray(value)) continue;
          const path = `cameras[${c}].zones[${z}].rules[${r}].${field}`;
          const unknown = (value as string[]).map((label, i) => ({ label, i })).filter(({ label }) => !produced.has(label));
          if (!unknown.length) continue;
          if (given?.[field] !== undefined) {
            for (const { label, i } of unknown)
              problems.push({
                path: `${path}[${i}]`,
                message: `${JSON.stringify(label)} is not a label ${modelName} produces${mapped(label, config) || suggest(label, produced)}`,
              });
          } else {
            const names = unknown.map((u) => JSON.stringify(u.label)).join(', ');
            const renamed = unknown.some((u) => config.model.labelMap[u.label] !== undefined);
            const meant = [...new Set((value as string[]).map((l) => config.model.labelMap[l] ?? l).filter((l) => produced.has(l)))];
            const example = meant.length ? `, e.g. [${meant.join(', ')}]` : '';
            problems.push({
              path,
              message: `the default ${field} ${names} are not produced by ${modelName}${renamed ? ' once model.labelMap renames them' : ''}: give ${field} explicitly${example}`,
            });
          }
        }
      }),
    ),
  );
  const pixelate = config.evidence.pixelate?.labels ?? [];
  pixelate.forEach((label, i) => {
    if (!produced.has(label))
      problems.push({
        path: `evidence.pixelate.labels[${i}]`,
        message: `${JSON.stringify(label)} is not a label ${modelName} produces${mapped(label, config) || suggest(label, produced)}`,
      });
  });
  return problems;
}

function mapped(label: string, config: Config): string {
  const to = config.model.labelMap[label];
  return to ? `: model.labelMap renames it to ${JSON.stringify(to)}` : '';
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
