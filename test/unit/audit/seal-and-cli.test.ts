import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { listAuditFiles, openAuditLog } from '../../../agent/src/audit/audit-log.ts';
import { type AuditRecord, formatRecord, parseRecordLine } from '../../../agent/src/audit/record.ts';
import { loadPublicKey, loadSigningKey } from '../../../agent/src/audit/sign.ts';
import { verifyAuditFiles } from '../../../agent/src/audit/verify.ts';
import { command as auditCommand } from '../../../agent/src/cli/audit-command.ts';
import { runCommand } from '../../../agent/src/cli/command.ts';
import { silentLogger } from '../../../agent/src/core/log.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'jifang-audit-'));

async function run(argv: string[]) {
  const out = new PassThrough();
  const err = new PassThrough();
  let o = '';
  let e = '';
  out.on('data', (d) => (o += d));
  err.on('data', (d) => (e += d));
  const code = await runCommand('audit', auditCommand, argv, { out, err });
  return { code, out: o, err: e };
}

async function keys(dir: string) {
  const priv = join(dir, 'audit.key');
  const pub = join(dir, 'audit.pub');
  expect((await run(['keygen', priv, pub])).code).toBe(0);
  return { priv, pub };
}

async function sealedLog(dir: string, privFile: string | undefined, days = 2, action = 'ack') {
  const logDir = join(dir, 'audit');
  let t = Date.parse('2024-05-01T10:00:00Z');
  const signingKey = privFile ? await loadSigningKey(privFile) : undefined;
  const audit = await openAuditLog(logDir, silentLogger, { ...(signingKey ? { signingKey } : {}), now: () => t });
  for (let d = 0; d < days; d++) {
    for (let i = 0; i < 3; i++) await audit.append('operator_command', { day: d, i, action });
    t += 86_400_000;
  }
  await audit.close();
  return listAuditFiles(logDir);
}

function recordsOf(file: string): AuditRecord[] {
  return readFileSync(file, 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => {
      const p = parseRecordLine(line);
      if (!p.ok) throw new Error(p.reason);
      return p.record;
    });
}

describe('day seals (Ed25519)', () => {
  it('seals every day at rollover and on close; the seals verify with the public key', async () => {
    const dir = tmp();
    const { priv, pub } = await keys(dir);
    const files = await sealedLog(dir, priv);
    expect(files.every((f) => existsSync(`${f}.sig`))).toBe(true);
    const r = await verifyAuditFiles(files, { publicKey: await loadPublicKey(pub) });
    expect(r).toMatchObject({
      ok: true,
      records: 6,
      seals: [
        { status: 'valid', seq: 2, unsealedRecords: 0 },
        { status: 'valid', seq: 5, unsealedRecords: 0 },
      ],
    });
  });

  it('a sealed day whose last record was removed fails verification', async () => {
    const dir = tmp();
    const { priv, pub } = await keys(dir);
    const files = await sealedLog(dir, priv, 1);
    const ls = readFileSync(files[0], 'utf8').split('\n').slice(0, -2);
    writeFileSync(files[0], ls.map((l) => `${l}\n`).join(''));
    const r = await verifyAuditFiles(files, { publicKey: await loadPublicKey(pub) });
    expect(r).toMatchObject({ ok: false, reason: expect.stringContaining('seq 2, which is not in') });
  });

  it('a seal from another key, or a forged seal, fails', async () => {
    const dir = tmp();
    const { priv } = await keys(dir);
    const other = await keys(mkdtempSync(join(tmpdir(), 'jifang-audit-other-')));
    const files = await sealedLog(dir, priv, 1);
    expect(await verifyAuditFiles(files, { publicKey: await loadPublicKey(other.pub) })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('signature'),
    });
    const seal = JSON.parse(readFileSync(`${files[0]}.sig`, 'utf8'));
    writeFileSync(`${files[0]}.sig`, JSON.stringify({ ...seal, hash: 'f'.repeat(64) }));
    expect(await verifyAuditFiles(files)).toMatchObject({ ok: false, reason: expect.stringContaining('rewritten after it was sealed') });
  });

  it('a day rewritten from its first record on, its seal deleted, fails naming that day; only the newest may be unsealed', async () => {
    const dir = tmp();
    const { priv, pub } = await keys(dir);
    const files = await sealedLog(dir, priv, 3);
    // The forger's own log of the same days, chained from the start like the real one, but unsigned.
    const forged = await sealedLog(tmp(), undefined, 3, 'resolve');
    for (const [i, f] of files.entries()) {
      writeFileSync(f, readFileSync(forged[i]));
      rmSync(`${f}.sig`);
    }
    const publicKey = await loadPublicKey(pub);
    expect(await verifyAuditFiles(files, { publicKey })).toMatchObject({
      ok: false,
      file: `${files[0]}.sig`,
      reason: expect.stringContaining('audit-2024-05-01.jsonl has no seal, yet a later day follows it'),
    });
    const cli = await run(['verify', '--public-key', pub, join(dir, 'audit')]);
    expect(cli.code).toBe(1);
    expect(cli.err).toContain('audit-2024-05-01.jsonl has no seal');
    // Without a key there is nothing to check the seals against: the chain alone holds.
    expect(await verifyAuditFiles(files)).toMatchObject({ ok: true });
  });

  it('the newest day without a seal is not passed: its records are reported unverified, exit 3', async () => {
    const dir = tmp();
    const { priv, pub } = await keys(dir);
    const files = await sealedLog(dir, priv, 2);
    rmSync(`${files[1]}.sig`);
    const cli = await run(['verify', '--public-key', pub, join(dir, 'audit')]);
    expect(cli.code).toBe(3);
    expect(cli.out).toContain(`${files[1]}: NOT sealed`);
    expect(cli.out).toContain(`UNVERIFIED: all 3 record(s) of ${files[1]} carry no seal yet`);
    expect(cli.out).toContain('ok up to the last seal: 3 record(s) in 2 file(s), complete from the first record');
    expect(cli.out).not.toMatch(/^ok: /m);
  });

  it('the newest day rewritten from its first record on, chained to the day before, its seal deleted: not passed', async () => {
    const dir = tmp();
    const { priv, pub } = await keys(dir);
    const files = await sealedLog(dir, priv, 2);
    // The forger rewrites today's three records (resolve for ack), each chained to the one before like the real ones.
    const real = readFileSync(files[1], 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => parseRecordLine(l));
    let prev = (real[0] as { record: { prev: string } }).record.prev;
    const forged = real.map((p) => {
      const r = (p as { record: { seq: number; at: string; data: Record<string, unknown> } }).record;
      const f = formatRecord(r.seq, Date.parse(r.at), 'operator_command', { ...r.data, action: 'resolve' }, prev);
      prev = f.hash;
      return `${f.line}\n`;
    });
    writeFileSync(files[1], forged.join(''));
    rmSync(`${files[1]}.sig`);

    const cli = await run(['verify', '--public-key', pub, join(dir, 'audit')]);
    expect(cli.code).toBe(3);
    expect(cli.out).toContain(`UNVERIFIED: all 3 record(s) of ${files[1]}`);
    // With its seal kept, the rewrite is found outright.
    const again = await sealedLog(tmp(), priv, 2);
    writeFileSync(again[1], forged.join(''));
    expect((await run(['verify', '--public-key', pub, ...again])).code).toBe(1);
  });

  it('records written after the newest day was sealed: ok up to the seal, the later ones unverified', async () => {
    const dir = tmp();
    const { priv, pub } = await keys(dir);
    const files = await sealedLog(dir, priv, 1);
    const extra = formatRecord(3, Date.parse('2024-05-01T23:00:00Z'), 'operator_command', { action: 'ack' }, recordsOf(files[0])[2].hash);
    writeFileSync(files[0], `${readFileSync(files[0], 'utf8')}${extra.line}\n`);
    const r = await verifyAuditFiles(files, { publicKey: await loadPublicKey(pub) });
    expect(r).toMatchObject({ ok: true, unverified: { file: files[0], afterSeq: 2, records: 1 } });
    const cli = await run(['verify', '--public-key', pub, ...files]);
    expect(cli.code).toBe(3);
    expect(cli.out).toContain(`UNVERIFIED: the 1 record(s) after seq 2 of ${files[0]} carry no seal yet`);
  });

  it('rejects a signing key that is not Ed25519 with a clear message', async () => {
    const dir = tmp();
    const f = join(dir, 'bad.pem');
    writeFileSync(f, 'not a key');
    await expect(loadSigningKey(f)).rejects.toThrow(/expected an Ed25519 private key in PEM/);
    await expect(loadSigningKey(join(dir, 'missing.pem'))).rejects.toThrow(/cannot read it \(ENOENT\)/);
  });
});

describe('jifang audit', () => {
  it('verify on a directory prints ok with record count, seals and the head', async () => {
    const dir = tmp();
    const { priv, pub } = await keys(dir);
    await sealedLog(dir, priv);
    const r = await run(['verify', '--public-key', pub, join(dir, 'audit')]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/audit-2024-05-01\.jsonl: seal valid up to seq 2/);
    expect(r.out).toMatch(/ok: 6 record\(s\) in 2 file\(s\), complete from the first record; head seq 5 [0-9a-f]{64}/);
  });

  it('verify names the file and line of the first broken record and exits 1', async () => {
    const dir = tmp();
    const { priv } = await keys(dir);
    const files = await sealedLog(dir, priv);
    const ls = readFileSync(files[1], 'utf8').split('\n');
    ls[1] = ls[1].replace('"ack"', '"resolve"');
    writeFileSync(files[1], ls.join('\n'));
    const r = await run(['verify', ...files]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${files[1]}:2: content does not match its hash`);
  });

  it('prints its usage on --help', async () => {
    const r = await run(['--help']);
    expect(r).toMatchObject({ code: 0, out: expect.stringContaining('jifang audit verify [--public-key FILE] FILE|DIR...') });
  });

  it('usage errors exit 2', async () => {
    expect((await run([])).code).toBe(2);
    expect((await run(['verify'])).code).toBe(2);
    expect((await run(['verify', '--public-key'])).err).toContain('option --public-key needs a value');
    expect((await run(['frobnicate'])).err).toContain('unknown sub-command "frobnicate"');
  });

  it('keygen refuses to overwrite an existing key', async () => {
    const dir = tmp();
    const { priv, pub } = await keys(dir);
    const r = await run(['keygen', priv, pub]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/EEXIST/);
  });
});
