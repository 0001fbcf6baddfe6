import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../helpers/paths.ts';

/**
 * The command center's container image and systemd units, checked against the CLI and the box's hardening. No
 * container engine runs on this machine, so the image is not built here: what can be checked without building it is.
 */
const read = (f: string) => readFileSync(join(projectRoot, f), 'utf8');

/** Dockerfile instructions of the last stage (continuation lines joined), as [keyword, rest]. */
function finalStage(text: string): [string, string][] {
  const lines = text
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .filter((l) => l.trim() && !l.trim().startsWith('#'));
  const all = lines.map((l) => {
    const m = /^\s*(\w+)\s+(.*)$/.exec(l);
    return [m?.[1]?.toUpperCase() ?? '', m?.[2]?.trim() ?? ''] as [string, string];
  });
  const last = all.map(([k]) => k).lastIndexOf('FROM');
  return all.slice(last);
}
const one = (stage: [string, string][], key: string) => stage.filter(([k]) => k === key).map(([, v]) => v);
const execForm = (v: string): string[] => JSON.parse(v.replace(/^.*?CMD\s+/, '')) as string[];

/**
 * Bare package names the modules import, statically or dynamically, following relative imports; not into the command
 * registry, whose entries each load only when their command runs.
 */
function packagesImported(entries: string[]): Set<string> {
  const lazy = join(projectRoot, 'agent/src/cli/registry.ts');
  const seen = new Set<string>();
  const pkgs = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file) || file === lazy) return;
    seen.add(file);
    const src = readFileSync(file, 'utf8');
    for (const m of src.matchAll(/\bfrom\s+['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm)) {
      const spec = m[1] ?? m[2] ?? m[3] ?? '';
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec));
      else if (!spec.startsWith('node:')) pkgs.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
    }
  };
  for (const e of entries) visit(join(projectRoot, e));
  return pkgs;
}

describe('Dockerfile.center', () => {
  const text = read('Dockerfile.center');
  const stage = finalStage(text);

  it('runs `jifang center` on the config path as a non-root user, through the entrypoint that checks mounts', () => {
    const user = one(stage, 'USER');
    expect(user).toEqual(['jifang']);
    expect(one(stage, 'RUN').join('\n')).toMatch(/useradd --system --uid 10001 [^\n]*jifang/);
    expect(one(stage, 'COPY')).toContain('deploy/docker-entrypoint.sh /usr/local/bin/jifang-entrypoint');
    expect(JSON.parse(one(stage, 'ENTRYPOINT')[0]!)).toEqual(['/usr/local/bin/jifang-entrypoint']);
    const cmd = JSON.parse(one(stage, 'CMD')[0]!) as string[];
    expect(cmd).toEqual(['center', '/etc/jifang/center.yaml']);
    // The entrypoint hands its arguments to the CLI, which has that command.
    expect(read('deploy/docker-entrypoint.sh')).toMatch(/exec \/usr\/bin\/tini -- node \/opt\/jifang\/bin\/jifang\.mjs "\$@"/);
    expect(read('agent/src/cli/registry.ts')).toMatch(/\bcenter: \(\) => import\('\.\/center-command\.ts'\)/);
  });

  it("checks health with the CLI's `center healthcheck` on the same config (the console's /healthz, no login)", () => {
    const check = execForm(one(stage, 'HEALTHCHECK')[0]!);
    expect(check).toEqual(['node', '/opt/jifang/bin/jifang.mjs', 'center', 'healthcheck', '/etc/jifang/center.yaml']);
    const usage = spawnSync(process.execPath, [join(projectRoot, 'bin/jifang.mjs'), 'center', '--help'], { encoding: 'utf8' });
    expect(`${usage.stdout}${usage.stderr}`).toMatch(/jifang center healthcheck CONFIG/);
  });

  it('keeps its data in the volume the user owns, named as the center reads it (JIFANG_DATA_DIR)', () => {
    const env = one(stage, 'ENV').join(' ');
    expect(env).toMatch(/JIFANG_DATA_DIR=\/var\/lib\/jifang\b/);
    expect(env).toMatch(/JIFANG_RUN_FROM=dist\b/);
    expect(one(stage, 'VOLUME')).toEqual(['["/var/lib/jifang"]']);
    expect(one(stage, 'RUN').join('\n')).toMatch(/chown jifang:jifang \/var\/lib\/jifang/);
    expect(read('agent/src/center/config.ts')).toMatch(/process\.env\.JIFANG_DATA_DIR/);
  });

  it('copies only what exists in the repository and is not excluded from the build context', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .filter((l) => l && !l.startsWith('#') && !l.startsWith('!'));
    const sources = finalStage(
      text
        .split(/^FROM .* AS build$/m)[1]!
        .split(/^FROM /m)[0]!
        .replace(/^/, 'FROM build\n'),
    )
      .concat(stage)
      .filter(([k, v]) => k === 'COPY' && !v.startsWith('--from'))
      .flatMap(([, v]) => v.split(/\s+/).slice(0, -1));
    expect(sources.length).toBeGreaterThan(5);
    for (const s of sources) {
      expect(existsSync(join(projectRoot, s)), s).toBe(true);
      expect(
        ignored.some((i) => s === i || s.startsWith(`${i}/`)),
        `${s} excluded by .dockerignore`,
      ).toBe(false);
    }
  });

  it('removes only packages the center command and its console pages never import', () => {
    const removed = /ARG NOT_FOR_CENTER="([^"]+)"/.exec(text)?.[1]?.split(/\s+/) ?? [];
    expect(removed).toContain('onnxruntime-node');
    // Every command of the registry loads only when it runs.
    expect(read('agent/src/cli/registry.ts')).not.toMatch(/^import (?!type)/m);
    const used = packagesImported([
      'agent/src/cli/main.ts',
      'agent/src/cli/center-command.ts',
      // The pages the console bundles at start (center/service.ts: buildAssets).
      'agent/src/center/client/main.ts',
      'agent/src/web/client/login.ts',
    ]);
    expect(used).toContain('pg');
    expect(removed.filter((p) => used.has(p) || [...used].some((u) => u.startsWith(`${p}/`)))).toEqual([]);
  });
});

describe('deploy/docker-entrypoint.sh', () => {
  const entrypoint = join(projectRoot, 'deploy/docker-entrypoint.sh');
  const run = (args: string[], env: Record<string, string> = {}) =>
    spawnSync('sh', [entrypoint, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });

  it('stops `center CONFIG` with the fix when the config cannot be read or the data folder written', () => {
    const missing = run(['center', '/nonexistent/center.yaml']);
    expect(missing.status).toBe(78);
    expect(missing.stderr).toMatch(/cannot read \/nonexistent\/center\.yaml/);
    const dir = mkdtempSync(join(tmpdir(), 'jifang-entry-'));
    try {
      writeFileSync(join(dir, 'center.yaml'), 'name: x\n');
      const unwritable = run(['center', join(dir, 'center.yaml')], { JIFANG_DATA_DIR: join(dir, 'no-such-folder') });
      expect(unwritable.status).toBe(78);
      expect(unwritable.stderr).toMatch(/cannot write to .*no-such-folder.*the center's snapshots/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('deploy/jifang-center.service', () => {
  const unit = read('deploy/jifang-center.service');
  const box = read('deploy/jifang.service');
  const settings = (text: string) =>
    text
      .split('\n')
      .filter((l) => /^\w+=/.test(l))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const);

  it('runs `jifang center` from dist as a non-root user, on the config and data paths the README names', () => {
    const s = new Map(settings(unit));
    expect(s.get('User')).toBe('jifang');
    expect(s.get('ExecStart')).toBe('/usr/bin/node /opt/jifang/bin/jifang.mjs center /etc/jifang/center.yaml');
    expect(s.get('Environment')).toMatch(/JIFANG_DATA_DIR=\/var\/lib\/jifang-center\b/);
    expect(s.get('StateDirectory')).toBe('jifang-center');
    expect(s.get('ReadWritePaths')).toBe('/var/lib/jifang-center');
    expect(read('README.md')).toMatch(/deploy\/jifang-center\.service/);
  });

  it("is hardened like the box's unit: every protection of it, minus only the video devices the center does not use", () => {
    const mine = settings(unit).map(([k, v]) => `${k}=${v}`);
    const deviceOnly = /^(SupplementaryGroups|DeviceAllow|ReadWritePaths|ExecStartPre|ExecStart|KillMode|Description|Documentation)=/;
    const hardening = settings(box)
      .map(([k, v]) => `${k}=${v}`)
      .filter((l) => /^(Protect|Private|Restrict|NoNew|Capability|Ambient|Lock|RemoveIPC|Keyring|DevicePolicy|SystemCall|UMask)/.test(l))
      .filter((l) => !deviceOnly.test(l));
    expect(hardening.length).toBeGreaterThan(20);
    expect(hardening.filter((l) => !mine.includes(l))).toEqual([]);
  });

  it('reads secrets from files handed to the service alone, named in the config as files', () => {
    const creds = settings(unit).filter(([k]) => k === 'LoadCredential');
    expect(creds.length).toBeGreaterThan(0);
    for (const [, v] of creds) expect(v).toMatch(/^[\w-]+:\/etc\/jifang\/secrets\/[\w-]+$/);
    expect(read('agent/src/core/schema.ts')).toMatch(/file/);
  });

  it('asks /healthz with the CLI every minute, and systemd finds nothing wrong in the three units', () => {
    const check = new Map(settings(read('deploy/jifang-center-healthcheck.service')));
    expect(check.get('ExecStart')).toBe('/usr/bin/node /opt/jifang/bin/jifang.mjs center healthcheck /etc/jifang/center.yaml');
    expect(check.get('User')).toBe('jifang');
    expect(new Map(settings(read('deploy/jifang-center-healthcheck.timer'))).get('OnUnitActiveSec')).toBe('1min');
    const files = ['jifang-center.service', 'jifang-center-healthcheck.service', 'jifang-center-healthcheck.timer'].map((f) =>
      join(projectRoot, 'deploy', f),
    );
    const verify = spawnSync('systemd-analyze', ['verify', ...files], { encoding: 'utf8' });
    expect(verify.error).toBeUndefined();
    expect({ status: verify.status, stderr: verify.stderr }).toEqual({ status: 0, stderr: '' });
    const security = execFileSync('systemd-analyze', ['security', '--offline=true', files[0]!], { encoding: 'utf8' });
    const level = Number(/Overall exposure level for jifang-center\.service: ([\d.]+)/.exec(security)?.[1]);
    expect(level).toBeLessThan(2);
  });
});
