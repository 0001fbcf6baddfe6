import { loadConfig } from '../config/load.ts';
import { ConfigError } from '../core/errors.ts';
import { calibrationReport } from '../geo/mapper.ts';
import { loadModel } from '../model/load.ts';
import { thresholdWarnings } from '../rules/thresholds.ts';

/**
 * `jifang check-config FILE...`: every problem on its own line as `FILE: path: message`; exit 1 if any.
 * A valid file also gets its model verified and each camera's calibration error reported in metres.
 */
export async function checkConfigCommand(argv: string[]): Promise<number> {
  if (argv.length === 0) {
    process.stderr.write('usage: jifang check-config FILE...\n');
    return 2;
  }
  let failed = false;
  for (const file of argv) {
    try {
      const { config } = loadConfig(file);
      const zones = config.cameras.reduce((n, c) => n + c.zones.length, 0);
      const rules = config.cameras.reduce((n, c) => n + c.zones.reduce((m, z) => m + z.rules.length, 0), 0);
      const model = await loadModel(config.model.manifest).catch((err: Error) => {
        throw new Error(`model.manifest: ${err.message}`);
      });
      process.stdout.write(`${file}: ok (site ${config.site.id}, ${config.cameras.length} camera(s), ${zones} zone(s), ${rules} rule(s); model ${model.manifest.name} ${model.sha256.slice(0, 12)}… verified)\n`);
      config.cameras.forEach((cam, i) => {
        for (const w of thresholdWarnings(cam)) process.stdout.write(`${file}: warning: cameras[${i}].${w.path}: ${w.message}\n`);
        const r = calibrationReport(cam);
        if (!r) {
          process.stdout.write(`${file}: cameras[${i}] ${cam.id}: uncalibrated: alerts carry the camera's own position\n`);
        } else if (r.ok) {
          const loo = r.leaveOneOutMaxMeters === undefined ? 'exact fit with 4 points: add a 5th point to measure the error' : `leave-one-out max ${r.leaveOneOutMaxMeters.toFixed(2)} m`;
          process.stdout.write(`${file}: cameras[${i}] ${cam.id}: calibration from ${r.points} points: reprojection rms ${r.rmsMeters.toFixed(2)} m, max ${r.maxMeters.toFixed(2)} m; ${loo}\n`);
        } else {
          failed = true;
          process.stderr.write(`${file}: cameras[${i}].calibration: ${r.error}\n`);
        }
      });
    } catch (err) {
      failed = true;
      process.stderr.write(`${err instanceof ConfigError ? err.message : `${file}: ${(err as Error).message}`}\n`);
    }
  }
  return failed ? 1 : 0;
}
