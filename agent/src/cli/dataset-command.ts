import { resolve } from 'node:path';
import { dataDirOf } from '../config/data-dir.ts';
import { loadConfig } from '../config/load.ts';
import { type DatasetCamera, exportDataset, parseSince } from '../evidence/dataset.ts';
import { datasetFormatSchema } from '../evidence/dataset-manifest.ts';
import { defineCommand, UsageError, UserError } from './command.ts';

const EXPORT_USAGE = `usage: jifang dataset export --out DIR [--since DATE|DURATION] [--format yolo|coco] [--data-dir DIR] [CONFIG]

  Writes a site's own training data from its operators' decisions: the undrawn evidence frames of events that were
  dispatched and then cleared, or resolved, with their boxes and labels; and the frames of events marked
  false_positive as hard negatives (no labels). With CONFIG, its data folder is read and each camera's privacy
  masks are applied again; without, --data-dir (default $JIFANG_DATA_DIR or ./data) and the frames as stored.

  --out DIR        the dataset folder: new, empty, or an earlier export (brought up to date)
  --since WHEN     only events from then on: 2026-11-20 (midnight UTC), 2026-11-20T08:00+08:00, or 90m, 12h, 7d, 2w ago
  --format F       yolo (images/, labels/*.txt, data.yaml, classes.txt; default) or coco (images/, annotations.json)
  Every image is described in DIR/manifest.json (schema jifang.dataset-1, see jifang schema).
`;

export const command = defineCommand({
  summary: { args: 'export --out DIR [CONFIG]', text: 'training data (YOLO/COCO) from confirmed events and false positives' },
  usage: `usage: jifang dataset export --out DIR [--since DATE|DURATION] [--format yolo|coco] [CONFIG]\n`,
  subcommands: {
    export: defineCommand({
      usage: EXPORT_USAGE,
      options: { out: { type: 'string' }, since: { type: 'string' }, format: { type: 'string' }, 'data-dir': { type: 'string' } },
      positionals: { max: 1 },
      async run({ values, positionals: [file] }, io) {
        if (!values.out) throw new UsageError('expected --out DIR');
        const format = datasetFormatSchema.safeParse(values.format ?? 'yolo');
        if (!format.success) throw new UsageError(`--format: expected yolo or coco, got "${values.format}"`);
        if (file && values['data-dir']) throw new UsageError('give CONFIG or --data-dir, not both');
        let since: number | undefined;
        try {
          since = values.since === undefined ? undefined : parseSince(values.since, Date.now());
        } catch (err) {
          throw new UsageError((err as Error).message);
        }
        let dataDir: string;
        let cameras: DatasetCamera[] | undefined;
        if (file) {
          const { config } = loadConfig(file);
          dataDir = config.dataDir;
          cameras = config.cameras.map((c) => ({ id: c.id, privacyMasks: c.privacyMasks }));
        } else {
          dataDir = values['data-dir'] ? resolve(values['data-dir']) : dataDirOf(undefined, resolve('jifang.yaml'));
        }
        const out = resolve(values.out);
        const { manifest, removed } = await exportDataset({ dataDir, out, format: format.data, since, cameras }).catch((err: Error) => {
          throw new UserError(err.message);
        });
        const c = manifest.counts;
        const skipped = c.skipped.undecided + c.skipped.noFrame;
        io.out.write(
          `dataset: ${c.images} image(s) to ${out} (${format.data}): ${c.positives} confirmed with ${c.boxes} box(es) in ${manifest.classes.length} class(es), ${c.negatives} hard negative(s)` +
            `${skipped ? `; left out ${c.skipped.undecided} undecided event(s), ${c.skipped.noFrame} without an undrawn frame` : ''}` +
            `${c.unmaskedAtSource ? `; ${c.unmaskedAtSource} stored frame(s) were not masked and are masked now` : ''}` +
            `${cameras ? '' : '; privacy masks not re-applied (no CONFIG)'}${removed ? `; ${removed} stale file(s) removed` : ''}\n`,
        );
        return 0;
      },
    }),
  },
});
