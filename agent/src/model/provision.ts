import { createWriteStream } from 'node:fs';
import { copyFile, lstat, rename, stat, symlink, unlink } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { sharedModelsDir } from './load.ts';
import { readManifestPins } from './manifest.ts';
import { type FilePin, FileVerificationError, verifyFile } from './verify.ts';

export type ProvisionAction = 'verified' | 'linked' | 'copied' | 'downloaded';

export interface ProvisionResult {
  file: string;
  action: ProvisionAction;
  /** The shared file or URL it came from, for `linked`, `copied` and `downloaded`. */
  from?: string;
}

export interface ProvisionOptions {
  /** Where ready-made copies live; default ../shared/models beside the project. */
  sharedDir?: string;
  fetch?: typeof fetch;
}

/** A file to provision: its name, its pin (required for a download) and where to download it from. */
export interface PinnedFile {
  name: string;
  pin?: FilePin;
  url?: string;
}

/**
 * Makes sure a manifest's model and labels files sit next to it, verified against their pins:
 * already there (verify) → the shared folder (symlink, else copy; verify) → download from the pinned URL (verify).
 * A mismatch anywhere is a hard error; a failed download leaves no partial file behind.
 */
export async function provisionModel(
  manifestPath: string,
  opts: ProvisionOptions = {},
): Promise<{ model: ProvisionResult; labels: ProvisionResult }> {
  const manifest = await readManifestPins(manifestPath);
  const dir = dirname(resolve(manifestPath));
  const shared = { sharedDir: opts.sharedDir ?? sharedModelsDir, fetch: opts.fetch };
  const model = await provisionFile(
    dir,
    { name: manifest.file, pin: { sha256: manifest.sha256, size: manifest.size }, url: manifest.url },
    shared,
  );
  const labelsPin = manifest.labels.sha256 ? { sha256: manifest.labels.sha256 } : undefined;
  const labels = await provisionFile(dir, { name: manifest.labels.file, pin: labelsPin, url: manifest.labels.url }, shared);
  return { model, labels };
}

/**
 * Makes sure `dir/want.name` exists and matches its pin: already there (verify) → `sharedDir` (symlink, else copy;
 * verify) → download from `want.url` (verify). Also serves sample media (`../shared/samples`).
 */
export async function provisionFile(
  dir: string,
  want: PinnedFile,
  opts: { sharedDir: string; fetch?: typeof fetch },
): Promise<ProvisionResult> {
  const target = join(dir, want.name);
  const verify = (file: string) => (want.pin ? verifyFile(file, want.pin) : lstat(file));

  if (await exists(target)) {
    await verify(target).catch((err: unknown) => {
      throw err instanceof FileVerificationError ? new Error(`${err.message} (delete it to provision the pinned file again)`) : err;
    });
    return { file: target, action: 'verified' };
  }
  await removeDanglingLink(target);

  const shared = join(opts.sharedDir, want.name);
  if (await exists(shared)) {
    await verify(shared);
    try {
      await symlink(relative(dir, shared), target);
      await verify(target);
      return { file: target, action: 'linked', from: shared };
    } catch {
      await unlink(target).catch(() => undefined);
      await copyFile(shared, target);
      await verify(target);
      return { file: target, action: 'copied', from: shared };
    }
  }

  if (!want.url) {
    throw new Error(`${target}: not found, not in ${opts.sharedDir}, and no url is given to download it from`);
  }
  if (!want.pin) throw new Error(`${target}: refusing to download ${want.url} without a sha256 pin in the manifest`);
  await download(want.url, target, want.pin, opts.fetch ?? fetch);
  return { file: target, action: 'downloaded', from: want.url };
}

async function download(url: string, target: string, pin: FilePin, fetchImpl: typeof fetch): Promise<void> {
  const partial = `${target}.partial`;
  try {
    const res = await fetchImpl(url);
    if (!res.ok || !res.body) throw new Error(`download of ${url} failed: HTTP ${res.status} ${res.statusText}`);
    await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), createWriteStream(partial));
    await verifyFile(partial, pin).catch((err: unknown) => {
      throw err instanceof FileVerificationError ? new Error(`download of ${url}: ${err.message.replace(`${partial}: `, '')}`) : err;
    });
    await rename(partial, target);
  } catch (err) {
    await unlink(partial).catch(() => undefined);
    if (err instanceof Error && err.message.startsWith('download of')) throw err;
    throw new Error(`download of ${url} failed: ${(err as Error).message}`);
  }
}

/** `stat` follows links, so a link to a removed shared file counts as missing. */
async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

async function removeDanglingLink(file: string): Promise<void> {
  const st = await lstat(file).catch(() => undefined);
  if (st?.isSymbolicLink()) await unlink(file);
}

function describe(r: ProvisionResult): string {
  return r.action === 'verified' ? 'verified' : `${r.action} from ${r.from} and verified`;
}

async function main(argv: string[]): Promise<number> {
  const args = argv.filter((a) => a !== '--quiet');
  if (args.length !== 1) {
    process.stderr.write('usage: node --import tsx agent/src/model/provision.ts MANIFEST.json [--quiet]\n');
    return 2;
  }
  try {
    const { model, labels } = await provisionModel(args[0]);
    if (!argv.includes('--quiet') || model.action !== 'verified' || labels.action !== 'verified') {
      process.stdout.write(`${model.file}: ${describe(model)}; ${labels.file}: ${describe(labels)}\n`);
    }
    return 0;
  } catch (err) {
    process.stderr.write(`provision: ${(err as Error).message}\n`);
    return 1;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
