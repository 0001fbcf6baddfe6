import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { stringify } from 'yaml';
import { projectRoot } from '../../helpers/paths.ts';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'jifang-check-'));
let n = 0;

function base(): Record<string, any> {
  return {
    site: { id: 'east-gate', name: 'East gate', timezone: 'Asia/Shanghai', location: { lat: 31.2304, lon: 121.4737 } },
    cameras: [
      {
        id: 'cam-1',
        url: 'rtsp://10.0.0.8:554/Streaming/Channels/102',
        analysis: { fps: 5, width: 640, height: 360 },
        zones: [{ id: 'yard', polygon: [[0.1, 0.5], [0.9, 0.5], [0.9, 1], [0.1, 1]], rules: [{ id: 'keep-out', type: 'intrusion' }] }],
      },
    ],
  };
}

/** `jifang check-config FILE` as an installer runs it: exit code and both streams. */
async function checkConfig(cfg: unknown, text?: string | Buffer): Promise<{ code: number; stdout: string; stderr: string }> {
  const file = join(dir, `c${n++}.yaml`);
  writeFileSync(file, text ?? stringify(cfg));
  try {
    const { stdout, stderr } = await run(process.execPath, [join(projectRoot, 'bin', 'jifang.mjs'), 'check-config', file], { env: { ...process.env, JIFANG_TEST_UNSET: '' } });
    return { code: 0, stdout: stdout.replaceAll(file, 'FILE'), stderr: stderr.replaceAll(file, 'FILE') };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout.replaceAll(file, 'FILE'), stderr: e.stderr.replaceAll(file, 'FILE') };
  }
}

describe('jifang check-config', { timeout: 60_000 }, () => {
  test('warns about a minScore below the tracker’s new-track score, naming the field and the effective threshold', async () => {
    const cfg = base();
    cfg.cameras[0].zones[0].rules[0].minScore = 0.3;
    const r = await checkConfig(cfg);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^FILE: warning: cameras\[0\]\.zones\[0\]\.rules\[0\]\.minScore: 0\.3 is below the tracker's newTrackScore 0\.45: .*effective threshold is 0\.45/m);
    const quiet = await checkConfig(base());
    expect(quiet.stdout).not.toMatch(/warning/);
  });
});
