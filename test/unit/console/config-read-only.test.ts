import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../agent/src/core/hash.ts';
import { projectRoot } from '../../helpers/paths.ts';

/**
 * The console's save on a config folder mounted read-only, as both documented deployments mount /etc/jifang: a real
 * read-only bind mount in a mount namespace of its own when run as root (root writes through permissions), the folder
 * made read-only by its mode otherwise.
 */
const dir = mkdtempSync(join(tmpdir(), 'jifang-edit-ro-'));
afterAll(() => {
  chmodSync(join(dir, 'etc'), 0o700);
  rmSync(dir, { recursive: true, force: true });
});

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(cmd, args, { cwd: projectRoot, timeout: 60_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
    ),
  );
}

describe('saving the config from the console', () => {
  it('on a read-only config folder refuses in words: which folder, nothing written, and how to deploy so it can save', async () => {
    const etc = join(dir, 'etc');
    mkdirSync(etc);
    const file = join(etc, 'config.yaml');
    writeFileSync(file, 'a: 1\n');
    const script = join(dir, 'save.ts');
    writeFileSync(
      script,
      `import { saveConfigText } from ${JSON.stringify(join(projectRoot, 'agent/src/web/yaml-edit.ts'))};
saveConfigText(${JSON.stringify(file)}, ${JSON.stringify(sha256Hex('a: 1\n'))}, 'a: 2\\n').then(
  (r) => console.log(JSON.stringify({ saved: r })),
  (err) => console.log(JSON.stringify({ status: err.status, message: err.message })),
);
`,
    );
    const node = `${process.execPath} --import tsx ${script}`;
    let out: string;
    if (process.getuid?.() === 0) out = await run('unshare', ['-m', 'sh', '-c', `mount --bind -o ro ${etc} ${etc} && ${node}`]);
    else {
      chmodSync(etc, 0o500);
      out = await run('sh', ['-c', node]);
    }
    const answer = JSON.parse(out) as { status: number; message: string };
    expect(answer.status).toBe(403);
    expect(answer.message).toMatch(new RegExp(`^cannot save: ${etc} is read-only for the agent \\((EROFS|EACCES)\\); nothing was written`));
    expect(answer.message).toContain('without ":ro"');
    expect(answer.message).toContain('ReadWritePaths=');
    expect(readFileSync(file, 'utf8')).toBe('a: 1\n');
    expect(readdirSync(etc)).toEqual(['config.yaml']);
  }, 60_000);
});
