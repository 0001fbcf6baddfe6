import uPlot from 'uplot';
import { h } from '../../web/client/dom.ts';

/* The statistics' charts: uPlot (bundled, offline) for series over time, plain elements for bars and the heat map. */

/** Bars of `values` over labelled categories (days, weeks), with a line of `line` when given. */
export function barChart(
  holder: HTMLElement,
  o: { id: string; labels: string[]; values: number[]; label: string; width: number; onPick?: (index: number) => void },
): void {
  const el = h('div', { class: 'chart', id: o.id });
  holder.append(el);
  const xs = o.labels.map((_, i) => i);
  const plot = new uPlot(
    {
      width: o.width,
      height: 220,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: { time: false, range: [-0.5, Math.max(0.5, xs.length - 0.5)] },
        y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] },
      },
      axes: [
        {
          values: (_u, splits) => splits.map((i) => (Number.isInteger(i) ? (o.labels[i] ?? '') : '')),
          space: 60,
        },
        { size: 40 },
      ],
      series: [
        {},
        {
          label: o.label,
          stroke: '#1f5f99',
          fill: 'rgba(31,95,153,0.55)',
          paths: uPlot.paths.bars?.({ size: [0.7, 40] }),
          points: { show: false },
        },
      ],
    },
    [xs, o.values],
    el,
  );
  if (o.onPick) {
    const pick = o.onPick;
    plot.over.addEventListener('click', () => {
      const i = plot.cursor.idx;
      if (i !== null && i !== undefined) pick(i);
    });
  }
}

/** Horizontal bars, one row each, the longest full width; a click on a row calls `onPick`. */
export function barList(
  rows: { key: string; label: string; title?: string; count: number; extra?: string }[],
  onPick?: (key: string) => void,
): HTMLElement {
  const max = Math.max(1, ...rows.map((r) => r.count));
  return h(
    'ul',
    { class: 'bars' },
    ...rows.map((r) => {
      const bar = h('span', { class: 'bar' });
      bar.style.width = `${(100 * r.count) / max}%`;
      return h(
        'li',
        { 'data-key': r.key, class: onPick ? 'pickable' : undefined, onclick: onPick ? () => onPick(r.key) : undefined },
        h('span', { class: 'bar-label', title: r.title }, r.label),
        h('span', { class: 'bar-track' }, bar),
        h('span', { class: 'bar-count' }, String(r.count)),
        h('span', { class: 'bar-extra muted' }, r.extra ?? ''),
      );
    }),
  );
}

/** A table of cells shaded by their value: rows × columns of counts. */
export function heatTable(o: { id: string; rows: string[]; columns: string[]; values: number[][] }): HTMLElement {
  const max = Math.max(1, ...o.values.flat());
  return h(
    'table',
    { class: 'heat', id: o.id },
    h('thead', {}, h('tr', {}, h('th', {}, ''), ...o.columns.map((c) => h('th', {}, c)))),
    h(
      'tbody',
      {},
      ...o.values.map((row, r) =>
        h(
          'tr',
          {},
          h('th', {}, o.rows[r]),
          ...row.map((v) => {
            const td = h('td', { title: String(v) }, v ? String(v) : '');
            td.style.background = `rgba(200, 40, 30, ${(0.85 * v) / max})`;
            if (v / max > 0.5) td.style.color = '#fff';
            return td;
          }),
        ),
      ),
    ),
  );
}
