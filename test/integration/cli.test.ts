import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../helpers/paths.ts';

/**
 * The installed CLI as a user meets it (`node bin/jifang.mjs …`, a real process each time): usage, version,
 * unknown options and user errors each give a known first line and exit code, never a stack trace.
 */
interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

const bin = join(projectRoot, 'bin', 'jifang.mjs');
const version = (JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string }).version;
let dir: string;

function jifang(args: string[], env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...nodeArgs, bin, ...args],
      { cwd: dir, env: { ...process.env, ...env }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const first = (text: string) => text.split('\n')[0];

/** Every command's usage line, as `--help` prints it first. */
const usage: Record<string, string> = {
  run: 'usage: jifang run CONFIG',
  'check-config': 'usage: jifang check-config FILE...',
  detect: 'usage: jifang detect IMAGE... [--model MANIFEST] [--windows X,Y,W,H[;X,Y,W,H...]] [--threshold T] [--json] [--out FILE|DIR]',
  audit: 'usage: jifang audit verify [--public-key FILE] FILE|DIR...',
  'audit verify': 'usage: jifang audit verify [--public-key FILE] FILE|DIR...',
  'audit keygen': 'usage: jifang audit keygen PRIVATE_KEY_FILE PUBLIC_KEY_FILE',
  healthcheck: 'usage: jifang healthcheck CONFIG',
  schema: 'usage: jifang schema [--out DIR]',
  plate: 'usage: jifang plate IMAGE... [--crop] [--json] [--out FILE|DIR]',
};

const BROKEN = `site: { id: cli-test, name: CLI test, timezone: Asia/Shanghai, location: { lat: 31.23, lon: 121.47 } }
mqtt:
  healthIntervalSeconds: soon
cameras: [{ id: cam-1, url: rtsp://127.0.0.1:8554/x, zones: [] }]
`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'jifang-cli-'));
  writeFileSync(join(dir, 'broken.yaml'), BROKEN);
  writeFileSync(join(dir, 'tabs.yaml'), 'site:\n\tid: x\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('jifang CLI conventions', { timeout: 240_000 }, () => {
  it('prints its version and its command list', async () => {
    const [v, help, none] = await Promise.all([jifang(['--version']), jifang(['--help']), jifang([])]);
    expect(v).toEqual({ code: 0, stdout: `jifang ${version}\n`, stderr: '' });
    expect(help.code).toBe(0);
    expect(first(help.stdout)).toBe('usage: jifang <command> [arguments]   (jifang <command> --help for its options)');
    for (const name of ['run', 'check-config', 'detect', 'audit', 'healthcheck', 'schema', 'plate'])
      expect(help.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    expect(none.code).toBe(2);
    expect(first(none.stderr)).toBe(first(help.stdout));
  });

  it('names an unknown command or top-level option (exit 2)', async () => {
    const [cmd, opt] = await Promise.all([jifang(['frobnicate']), jifang(['--frobnicate'])]);
    expect(cmd).toEqual({ code: 2, stdout: '', stderr: 'jifang: unknown command "frobnicate" (see jifang --help)\n' });
    expect(opt).toEqual({ code: 2, stdout: '', stderr: 'jifang: unknown option --frobnicate (see jifang --help)\n' });
  });

  it.each(Object.entries(usage))('%s answers --help and -h with its usage (exit 0)', async (name, line) => {
    const args = name.split(' ');
    const [long, short] = await Promise.all([jifang([...args, '--help']), jifang([...args, '-h'])]);
    for (const r of [long, short]) {
      expect(r.code).toBe(0);
      expect(first(r.stdout)).toBe(line);
      expect(r.stderr).toBe('');
    }
  });

  it.each(Object.keys(usage))('%s names an unknown option (exit 2)', async (name) => {
    // Positionals first for commands that take them; `audit` alone would take "x.yaml" for its sub-command.
    const r = await jifang([...name.split(' '), ...(name === 'audit' ? [] : ['x.yaml']), '--frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`jifang ${name}: unknown option --frobnicate (see jifang ${name} --help)\n`);
  });

  it('says what is missing or too much on the command line (exit 2)', async () => {
    const cases: [string[], string][] = [
      [['run'], 'jifang run: expected a CONFIG file (see jifang run --help)'],
      [['run', 'a.yaml', 'b.yaml'], 'jifang run: unexpected argument "b.yaml" (see jifang run --help)'],
      [['check-config'], 'jifang check-config: expected at least one config FILE (see jifang check-config --help)'],
      [['detect', '--threshold'], 'jifang detect: option --threshold needs a value (see jifang detect --help)'],
      [['detect', 'x.jpg', '--json=yes'], 'jifang detect: option --json takes no value (see jifang detect --help)'],
      [['audit'], 'jifang audit: expected a sub-command: verify, keygen (see jifang audit --help)'],
      [['audit', 'frobnicate'], 'jifang audit: unknown sub-command "frobnicate" (see jifang audit --help)'],
      [
        ['audit', 'keygen', 'only-one.pem'],
        'jifang audit keygen: expected PRIVATE_KEY_FILE and PUBLIC_KEY_FILE (see jifang audit keygen --help)',
      ],
      [['healthcheck'], 'jifang healthcheck: expected a CONFIG file (see jifang healthcheck --help)'],
      [['schema', 'extra'], 'jifang schema: unexpected argument "extra" (see jifang schema --help)'],
    ];
    const results = await Promise.all(cases.map(([args]) => jifang(args)));
    results.forEach((r, i) =>
      expect({ args: cases[i][0], code: r.code, stderr: r.stderr }).toEqual({ args: cases[i][0], code: 2, stderr: `${cases[i][1]}\n` }),
    );
  });

  it('turns a broken config or a missing file into one clear line per problem and exit 1, never a stack trace', async () => {
    const broken = join(dir, 'broken.yaml');
    const tabs = join(dir, 'tabs.yaml');
    const typeError = `${broken}: mqtt.healthIntervalSeconds: expected a number, got "soon" (line 3, column 26)`;
    const cases: [string[], string][] = [
      [['run', broken], typeError],
      [['check-config', broken], typeError],
      [['run', join(dir, 'absent.yaml')], `${join(dir, 'absent.yaml')}: cannot read the config file (ENOENT)`],
      [['healthcheck', tabs], `jifang healthcheck: ${tabs}: Tabs are not allowed as indentation at line 2, column 1:`],
      [['healthcheck', join(dir, 'absent.yaml')], `jifang healthcheck: ${join(dir, 'absent.yaml')}: no such file`],
      [
        ['detect', join(dir, 'absent.jpg'), '--model', broken],
        `${broken}: not valid JSON: Unexpected token 's', "site: { id"... is not valid JSON`,
      ],
      [['audit', 'verify', join(dir, 'absent.jsonl')], `${join(dir, 'absent.jsonl')}:0: cannot read the file (ENOENT)`],
      [['schema', '--out', broken], `jifang schema: ${broken}: already exists (mkdir EEXIST)`],
    ];
    const results = await Promise.all(cases.map(([args]) => jifang(args)));
    results.forEach((r, i) => {
      expect({ args: cases[i][0], code: r.code, first: first(r.stderr) }).toEqual({ args: cases[i][0], code: 1, first: cases[i][1] });
      expect(r.stderr).not.toMatch(/^\s+at /m);
    });
  });

  it('healthcheck: ok while the health file is fresh, the reason and exit 1 when it is stale', async () => {
    const config = join(dir, 'health.yaml');
    const data = join(dir, 'health-data');
    mkdirSync(data, { recursive: true });
    writeFileSync(
      config,
      BROKEN.replace('healthIntervalSeconds: soon', 'healthIntervalSeconds: 2').replace('cameras:', `dataDir: ${data}\ncameras:`),
    );
    const write = (ageSeconds: number) =>
      writeFileSync(
        join(data, 'health.json'),
        JSON.stringify({
          at: new Date(Date.now() - ageSeconds * 1000).toISOString(),
          pid: 1,
          connected: true,
          intervalSeconds: 2,
          cameras: [],
        }),
      );
    write(0);
    expect(await jifang(['healthcheck', config])).toEqual({ code: 0, stdout: 'ok\n', stderr: '' });
    write(60);
    const stale = await jifang(['healthcheck', config]);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/^health file .*health\.json is 6\d s old \(limit 11 s\): the agent is stuck or stopped\n$/);
  });

  it('refuses a Node.js it cannot run on (process.versions faked by a preload: no old Node on this machine)', async () => {
    const preload = join(dir, 'old-node.mjs');
    writeFileSync(preload, "Object.defineProperty(process, 'versions', { value: { ...process.versions, node: '18.19.0' } });\n");
    const r = await jifang(['--version'], {}, ['--import', preload]);
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr: 'jifang: Node.js 18.19.0 cannot run jifang: it needs Node.js 20.9 or later (22 or 24 LTS recommended)\n',
    });
  });
});
