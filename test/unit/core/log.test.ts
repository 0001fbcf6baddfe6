import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../helpers/paths.ts';

/**
 * The logger in a real process writing to a real stderr: JSON lines when stderr is a pipe, readable lines when it
 * is a terminal (a pseudo-terminal from util-linux `script`), and no password in either, whoever logs it.
 */
let dir: string;
let script: string;

const SECRETS = ['hunter2', 'pw-url', 'pw-field', 'pw-error', 'pw-message', 'pw-token', 'pw-query'];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'jifang-log-'));
  script = join(dir, 'log.ts');
  writeFileSync(
    script,
    `import { createLogger } from ${JSON.stringify(join(projectRoot, 'agent/src/core/log.ts'))};
const log = createLogger('info').child({ stage: 'ingest', source: 'rtsp://admin:hunter2@10.0.0.8/ch1' });
log.info({ camera: 'north', mqtt: { url: 'mqtts://box:pw-url@broker:8883', password: 'pw-field' }, err: new TypeError('connect rtsp://u:pw-error@cam/x failed') }, 'camera rtsp://a:pw-message@cam starting');
log.warn({ section: { nested: { token: 'pw-token' } }, snapshot: 'http://cam/snap?user=a&password=pw-query' }, 'stream stalled');
log.debug('not shown at info');
log.warn({ objects: { ['k.'.repeat(120_000)]: 1 }, path: '/a.a'.repeat(4_000), list: Array.from({ length: 5_000 }, (_, i) => i), url: 'rtsp://u:pw-long@cam/' + 'x'.repeat(9_000) }, 'refused ' + 'm.'.repeat(50_000));
`,
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(cmd: string, args: string[], env: Record<string, string> = {}): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) =>
    execFile(
      cmd,
      args,
      { cwd: projectRoot, env: { ...process.env, JIFANG_LOG_LEVEL: '', JIFANG_LOG_FORMAT: '', ...env }, timeout: 60_000 },
      (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve({ stdout, stderr })),
    ),
  );
}

describe('createLogger', () => {
  it('writes JSON lines to a pipe with every secret removed', { timeout: 60_000 }, async () => {
    const { stderr } = await run(process.execPath, ['--import', 'tsx', script]);
    const lines = stderr
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, any>);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({
      level: 30,
      stage: 'ingest',
      source: 'rtsp://admin:***@10.0.0.8/ch1',
      camera: 'north',
      mqtt: { url: 'mqtts://box:***@broker:8883', password: '***' },
      err: { type: 'TypeError', message: 'connect rtsp://u:***@cam/x failed' },
      msg: 'camera rtsp://a:***@cam starting',
    });
    expect(lines[1]).toMatchObject({
      level: 40,
      section: { nested: { token: '***' } },
      snapshot: 'http://cam/snap?user=a&password=***',
      msg: 'stream stalled',
    });
    for (const s of SECRETS) expect(stderr).not.toContain(s);
  });

  it('cuts long strings, keys and lists of a line (a 240,000-character key, a 16 KB path) and says how much was left out', {
    timeout: 60_000,
  }, async () => {
    const { stderr } = await run(process.execPath, ['--import', 'tsx', script]);
    const line = stderr.trim().split('\n')[2];
    expect(line.length).toBeLessThan(16 * 1024);
    const l = JSON.parse(line) as { objects: Record<string, number>; path: string; list: unknown[]; url: string; msg: string };
    expect(l.path).toMatch(/^\/a\.a\/a\.a.*… \[13952 more characters\]$/);
    expect(Object.keys(l.objects)[0]).toMatch(/^k\.k\..*… \[239800 more characters\]$/);
    expect(l.list).toHaveLength(101);
    expect(l.list.at(-1)).toBe('… [4900 more items]');
    expect(l.url).toMatch(/^rtsp:\/\/u:\*\*\*@cam\/x+… \[/);
    expect(l.msg).toMatch(/^refused m\.m\..*more characters\]$/);
    expect(line).not.toContain('pw-long');
  });

  it('logs an error under err with its stack and its cause, cleaned of passwords', { timeout: 60_000 }, async () => {
    const errScript = join(dir, 'log-err.ts');
    writeFileSync(
      errScript,
      `import { createLogger } from ${JSON.stringify(join(projectRoot, 'agent/src/core/log.ts'))};
const cause = new Error('connect ECONNREFUSED rtsp://u:pw-cause@cam/x');
createLogger('info').warn({ camera: 'north', err: new Error('clip rtsp://u:pw-error@cam/x not stored', { cause }) }, 'clip not stored');
`,
    );
    const { stderr } = await run(process.execPath, ['--import', 'tsx', errScript]);
    const line = JSON.parse(stderr.trim()) as { err: { type: string; message: string; stack: string } };
    expect(line.err.type).toBe('Error');
    expect(line.err.message).toBe('clip rtsp://u:***@cam/x not stored: connect ECONNREFUSED rtsp://u:***@cam/x');
    expect(line.err.stack).toMatch(/^Error: clip rtsp:\/\/u:\*\*\*@cam\/x not stored\n\s+at /);
    expect(line.err.stack).toContain('caused by: Error: connect ECONNREFUSED rtsp://u:***@cam/x');
    expect(stderr).not.toContain('pw-');
  });

  it('writes readable lines to a terminal, also without secrets', { timeout: 60_000 }, async () => {
    // script(1) runs the command on a pseudo-terminal and copies what it prints to stdout.
    const { stdout } = await run('script', ['-qec', `${process.execPath} --import tsx ${script}`, '/dev/null']);
    const text = stdout.replace(/\x1b\[[0-9;]*m/g, '');
    expect(text).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: camera rtsp:\/\/a:\*\*\*@cam starting /m);
    expect(text).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: stream stalled /m);
    expect(text).not.toMatch(/^\{"level"/m);
    for (const s of SECRETS) expect(text).not.toContain(s);
  });
});
