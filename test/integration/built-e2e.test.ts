import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../helpers/paths.ts';

/**
 * Production runs the built JavaScript: `npm run build`, then the end-to-end test (a real RTSP camera, real
 * mosquitto, the real model) with the agent started from dist/ (JIFANG_RUN_FROM=dist: bin/jifang.mjs refuses a
 * missing or stale build instead of falling back to tsx, and the agent says which code it runs).
 */
function run(cmd: string, args: string[], env: Record<string, string>, timeout: number): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: projectRoot, env: { ...process.env, ...env }, timeout, maxBuffer: 64 << 20 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, output: `${stdout}${stderr}` }),
    );
  });
}

describe('the built JavaScript, end to end', () => {
  it('npm run build makes dist/, and the end-to-end test passes against it', { timeout: 1_800_000 }, async () => {
    const build = await run('npm', ['run', 'build', '--silent'], {}, 300_000);
    expect(build, build.output).toMatchObject({ code: 0 });
    const main = join(projectRoot, 'dist', 'src', 'cli', 'main.js');
    expect(statSync(main).mtimeMs).toBeGreaterThan(Date.now() - 300_000);

    // agent-e2e's own waits (30–60 s for the first messages) are sized for a machine that is not shared; run
    // inside the full suite on two loaded cores a wait can run out, so a failed test gets two more tries.
    const args = ['run', 'test/integration/agent-e2e.test.ts', '--hookTimeout=300000', '--testTimeout=300000', '--retry=2'];
    const e2e = await run(
      process.execPath,
      [join(projectRoot, 'node_modules', 'vitest', 'vitest.mjs'), ...args],
      { JIFANG_RUN_FROM: 'dist' },
      1_500_000,
    );
    expect(e2e.code, e2e.output.slice(-6000)).toBe(0);
    expect(e2e.output.replace(/\x1b\[[0-9;]*m/g, '')).toMatch(/Tests\s+2 passed \(2\)/);
  });
});
