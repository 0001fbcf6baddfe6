import { generateKeyPairSync } from 'node:crypto';
import { stat, writeFile } from 'node:fs/promises';
import { listAuditFiles } from '../audit/audit-log.ts';
import { loadPublicKey } from '../audit/sign.ts';
import { verifyAuditFiles } from '../audit/verify.ts';
import { defineCommand, type Io, UserError } from './command.ts';

const USAGE = `usage: jifang audit verify [--public-key FILE] FILE|DIR...
         recompute the hash chain (and check each day's seal with the public key); exit 1 at the first broken record,
         3 when (with the key) the newest day has records no seal covers yet
       jifang audit keygen PRIVATE_KEY_FILE PUBLIC_KEY_FILE
         create an Ed25519 key pair (PEM) for sealing each day's audit file
`;

export const command = defineCommand({
  summary: { args: 'verify|keygen ...', text: "check the audit log's hash chain, make a signing key pair" },
  usage: USAGE,
  subcommands: {
    verify: defineCommand({
      usage: `usage: jifang audit verify [--public-key FILE] FILE|DIR...\n\n  recompute the hash chain (and check each day's seal with the public key); exit 1 at the first broken record,\n  3 when (with the key) the newest day has records no seal covers yet\n`,
      options: { 'public-key': { type: 'string' } },
      positionals: { min: 1, missing: 'at least one audit FILE or DIR' },
      run: async ({ values, positionals }, io) => verify(positionals, values['public-key'], io),
    }),
    keygen: defineCommand({
      usage: `usage: jifang audit keygen PRIVATE_KEY_FILE PUBLIC_KEY_FILE\n\n  create an Ed25519 key pair (PEM) for sealing each day's audit file (never overwrites a file)\n`,
      positionals: { min: 2, max: 2, missing: 'PRIVATE_KEY_FILE and PUBLIC_KEY_FILE' },
      run: async ({ positionals: [privateFile, publicFile] }, io) => keygen(privateFile, publicFile, io),
    }),
  },
});

async function verify(paths: string[], publicKeyFile: string | undefined, io: Io): Promise<number> {
  const files: string[] = [];
  for (const p of paths) {
    const isDir = await stat(p).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (!isDir) {
      files.push(p);
      continue;
    }
    const inDir = await listAuditFiles(p);
    if (inDir.length === 0) throw new UserError(`${p}: no audit-YYYY-MM-DD.jsonl files in this directory`);
    files.push(...inDir);
  }
  const publicKey = publicKeyFile ? await loadPublicKey(publicKeyFile) : undefined;
  const result = await verifyAuditFiles(files, { publicKey });
  if (!result.ok) {
    io.err.write(`${result.file}:${result.line}: ${result.reason}\n`);
    io.err.write(`broken: ${result.records} record(s) before it verified\n`);
    return 1;
  }
  for (const s of result.seals) {
    const tail = s.unsealedRecords ? ` (${s.unsealedRecords} later record(s) not yet sealed)` : '';
    if (s.status === 'valid') io.out.write(`${s.file}: seal valid up to seq ${s.seq}${tail}\n`);
    else if (s.status === 'unchecked')
      io.out.write(`${s.file}: sealed up to seq ${s.seq}, signature not checked (give --public-key)${tail}\n`);
    else if (publicKey) io.out.write(`${s.file}: NOT sealed: no signature covers its records\n`);
  }
  const start =
    result.first === undefined
      ? ''
      : result.first.seq === 0
        ? ', complete from the first record'
        : `, starting at seq ${result.first.seq} (earlier files not given; its prev is ${result.first.prev})`;
  const head = result.head ? `; head seq ${result.head.seq} ${result.head.hash}` : '';
  const u = result.unverified;
  if (!u) {
    io.out.write(`ok: ${result.records} record(s) in ${result.files} file(s)${start}${head}\n`);
    return 0;
  }
  const which = u.afterSeq === undefined ? `all ${u.records} record(s)` : `the ${u.records} record(s) after seq ${u.afterSeq}`;
  io.out.write(
    `UNVERIFIED: ${which} of ${u.file} carry no seal yet: they chain, but so would the day rewritten with its seal deleted (a running agent seals its newest day at midnight and when it stops: verify again after that)\n`,
  );
  io.out.write(`ok up to the last seal: ${result.records - u.records} record(s) in ${result.files} file(s)${start}\n`);
  return UNVERIFIED_EXIT;
}

/** `audit verify`'s exit status when the chain holds but the newest day's last records are not sealed yet. */
const UNVERIFIED_EXIT = 3;

async function keygen(privateFile: string, publicFile: string, io: Io): Promise<number> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  // wx: never overwrite an existing key by accident.
  await writeFile(privateFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  await writeFile(publicFile, publicKey.export({ type: 'spki', format: 'pem' }), { flag: 'wx' });
  io.out.write(`wrote ${privateFile} (keep it on the box, mode 600) and ${publicFile} (for "audit verify --public-key")\n`);
  return 0;
}
