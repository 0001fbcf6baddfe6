import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { gatingWarnings } from '../config/gating-warnings.ts';
import { labelProblems } from '../config/label-check.ts';
import { loadConfig } from '../config/load.ts';
import { verifyModels } from '../config/models.ts';
import { ConfigError } from '../core/errors.ts';
import { calibrationReport } from '../geo/mapper.ts';
import { thresholdWarnings } from '../rules/thresholds.ts';
import { defineCommand, type Io } from './command.ts';

/**
 * `jifang check-config FILE...`: every problem on its own line as `FILE: path: message`; exit 1 if any.
 * A valid file also gets its model verified and each camera's calibration error reported in metres.
 */
export const command = defineCommand({
  summary: { args: 'FILE...', text: 'validate config files; every problem as FILE: path: message' },
  usage: `usage: jifang check-config FILE...

  validate config files: every problem on its own line as FILE: field.path: message (with the value found and
  its line and column), exit 1 if any; a valid file also gets its model verified, its rules' labels checked
  against what the model can detect, and each camera's calibration error printed in metres
`,
  positionals: { min: 1, missing: 'at least one config FILE' },
  run: async ({ positionals }, io) => checkConfigs(positionals, io),
});

async function checkConfigs(argv: string[], io: Io): Promise<number> {
  let failed = false;
  for (const file of argv) {
    try {
      const { config } = loadConfig(file);
      const zones = config.cameras.reduce((n, c) => n + c.zones.length, 0);
      const rules = config.cameras.reduce((n, c) => n + c.zones.reduce((m, z) => m + z.rules.length, 0), 0);
      const models = await verifyModels(config);
      const labels = labelProblems(config, parse(readFileSync(file, 'utf8')), models);
      if (labels.length) throw new ConfigError(file, labels);
      const verified =
        models.length === 1
          ? `model ${models[0].manifestName} ${models[0].sha256.slice(0, 12)}…`
          : `models ${models.map((m) => `${m.name} (${m.manifestName} ${m.sha256.slice(0, 12)}…)`).join(', ')}`;
      io.out.write(
        `${file}: ok (site ${config.site.id}, ${config.cameras.length} camera(s), ${zones} zone(s), ${rules} rule(s); ${verified} verified)\n`,
      );
      for (const m of models)
        if (!config.cameras.some((c) => c.models.includes(m.name)))
          io.out.write(`${file}: warning: ${m.path}: no camera lists it in its models: it is loaded all the same and only costs memory\n`);
      config.cameras.forEach((cam, i) => {
        const firstModel = models.find((m) => m.name === cam.models[0]) ?? models[0];
        for (const w of [...thresholdWarnings(cam), ...gatingWarnings(cam, firstModel.input)])
          io.out.write(`${file}: warning: cameras[${i}].${w.path}: ${w.message}\n`);
        const r = calibrationReport(cam);
        if (!r) {
          io.out.write(`${file}: cameras[${i}] ${cam.id}: uncalibrated: alerts carry the camera's own position\n`);
        } else if (r.ok) {
          const loo =
            r.leaveOneOutMaxMeters === undefined
              ? 'exact fit with 4 points: add a 5th point to measure the error'
              : `leave-one-out max ${r.leaveOneOutMaxMeters.toFixed(2)} m`;
          io.out.write(
            `${file}: cameras[${i}] ${cam.id}: calibration from ${r.points} points: reprojection rms ${r.rmsMeters.toFixed(2)} m, max ${r.maxMeters.toFixed(2)} m; ${loo}\n`,
          );
        } else {
          failed = true;
          io.err.write(`${file}: cameras[${i}].calibration: ${r.error}\n`);
        }
      });
    } catch (err) {
      failed = true;
      io.err.write(`${err instanceof ConfigError ? err.message : `${file}: ${(err as Error).message}`}\n`);
    }
  }
  return failed ? 1 : 0;
}
