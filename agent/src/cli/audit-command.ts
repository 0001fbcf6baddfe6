import { generateKeyPairSync } from 'node:crypto';
import { stat, writeFile } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { listAuditFiles } from '../audit/audit-log.ts';
import { loadPublicKey } from '../audit/sign.ts';
import { verifyAuditFiles } from '../audit/verify.ts';

const USAGE = `usage: jifang audit verify [--public-key FILE] FILE|DIR...
         recompute the hash chain (and check each day's seal with the public key); exit 1 at the first broken record
       jifang audit keygen PRIVATE_KEY_FILE PUBLIC_KEY_FILE
         create an Ed25519 key pair (PEM) for sealing each day's audit file
`;

interface Io {
  out: Writable;
  err: Writable;
}

/** `jifang audit …`; returns the exit code (0 ok, 1 broken chain or failure, 2 usage). */
export async function auditCommand(argv: string[], io: Io = { out: process.stdout, err: process.stderr }): Promise<number> {
  const [sub, ...rest] = argv;
  try {
    if (sub === 'verify') return await verify(rest, io);
    if (sub === 'keygen') return await keygen(rest, io);
  } catch (err) {
    io.err.write(`jifang audit ${sub}: ${(err as Error).message}\n`);
    return 1;
  }
  if (sub === 'help' || sub === '--help' || sub === '-h') {
    io.out.write(USAGE);
    return 0;
  }
  io.err.write(sub ? `jifang audit: unknown sub-command "${sub}"\n${USAGE}` : USAGE);
  return 2;
}

async function verify(argv: string[], io: Io): Promise<number> {
  const paths: string[] = [];
  let publicKeyFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--public-key') {
      publicKeyFile = argv[++i];
      if (!publicKeyFile) return usage(io, '--public-key needs a FILE');
    } else if (argv[i].startsWith('-')) {
      return usage(io, `unknown option ${argv[i]}`);
    } else {
      paths.push(argv[i]);
    }
  }
  if (paths.length === 0) return usage(io, 'expected at least one audit file or directory');
  const files: string[] = [];
  for (const p of paths) {
    const isDir = await stat(p).then((s) => s.isDirectory(), () => false);
    if (!isDir) {
      files.push(p);
      continue;
    }
    const inDir = await listAuditFiles(p);
    if (inDir.length === 0) throw new Error(`${p}: no audit-YYYY-MM-DD.jsonl files in this directory`);
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
    else if (s.status === 'unchecked') io.out.write(`${s.file}: sealed up to seq ${s.seq}, signature not checked (give --public-key)${tail}\n`);
  }
  const start =
    result.first === undefined
      ? ''
      : result.first.seq === 0
        ? ', complete from the first record'
        : `, starting at seq ${result.first.seq} (earlier files not given; its prev is ${result.first.prev})`;
  io.out.write(`ok: ${result.records} record(s) in ${result.files} file(s)${start}${result.head ? `; head seq ${result.head.seq} ${result.head.hash}` : ''}\n`);
  return 0;
}

async function keygen(argv: string[], io: Io): Promise<number> {
  if (argv.length !== 2) return usage(io, 'expected PRIVATE_KEY_FILE PUBLIC_KEY_FILE');
  const [privateFile, publicFile] = argv;
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  // wx: never overwrite an existing key by accident.
  await writeFile(privateFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  await writeFile(publicFile, publicKey.export({ type: 'spki', format: 'pem' }), { flag: 'wx' });
  io.out.write(`wrote ${privateFile} (keep it on the box, mode 600) and ${publicFile} (for "audit verify --public-key")\n`);
  return 0;
}

function usage(io: Io, why: string): number {
  io.err.write(`jifang audit: ${why}\n${USAGE}`);
  return 2;
}
