import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ConfigError, problemsFromZod } from '../core/errors.ts';
import { type ProvisionResult, provisionFile } from './provision.ts';
import { FileVerificationError, verifyFile } from './verify.ts';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, { error: 'expected a lower-case hex SHA-256 (64 characters)' });

/** An npm package that ships the file: the project pins the exact version in package.json. */
const npmSourceSchema = z.strictObject({
  package: z.string().min(1),
  version: z.string().regex(/^\d+\.\d+\.\d+$/, { error: 'expected an exact version, e.g. 1.4.2' }),
  /** Folder of the file inside the package. */
  dir: z.string().default(''),
});

/**
 * Manifest of a model that is not the frame detector (plate detector, plate classifier, text recogniser): the
 * file pinned by SHA-256, found next to the manifest → in the shared folder → downloaded from `url`; or shipped
 * by an npm package (`npm`), verified where the package is installed.
 */
export const pinnedModelManifestSchema = z
  .strictObject({
    name: z.string().min(1),
    role: z.enum(['plate-detector', 'plate-classifier', 'text-recogniser']),
    file: z.string().min(1),
    sha256,
    size: z.number().int().positive(),
    url: z.url({ error: 'expected the upstream https URL of the model file' }).optional(),
    npm: npmSourceSchema.optional(),
    licence: z.string().min(1),
    source: z.string().optional(),
    input: z.strictObject({
      name: z.string().min(1),
      /** Fixed input size; a recogniser has a fixed height and a width that follows the text line. */
      width: z.number().int().positive().optional(),
      height: z.number().int().positive(),
    }),
    /** A recogniser's character list, one a line, class i + 1 of its output (class 0 is the CTC blank). */
    dictionary: z.strictObject({ file: z.string().min(1), sha256 }).optional(),
  })
  .refine((m) => m.role !== 'text-recogniser' || m.dictionary, { error: 'a text-recogniser needs its dictionary', path: ['dictionary'] });
export type PinnedModelManifest = z.infer<typeof pinnedModelManifestSchema>;

export async function readPinnedManifest(file: string): Promise<PinnedModelManifest> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new ConfigError(file, [
      { path: '', message: e.code ? `cannot read the model manifest (${e.code})` : `not valid JSON: ${e.message}` },
    ]);
  }
  const parsed = pinnedModelManifestSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(file, problemsFromZod(parsed.error.issues, raw));
  return parsed.data;
}

export interface LoadedPinnedModel {
  manifest: PinnedModelManifest;
  modelPath: string;
  sha256: string;
  dictionaryPath?: string;
}

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** HyperLPR3's plate models beside the project (see ../shared/README.md "Plates"). */
export const sharedPlatesDir = join(projectRoot, '..', 'shared', 'plates');

/** The installed folder of an npm package, by Node's own lookup paths; its version must be the pinned one. */
export async function npmPackageDir(source: z.infer<typeof npmSourceSchema>, manifestPath: string): Promise<string> {
  const paths = createRequire(import.meta.url).resolve.paths(source.package) ?? [];
  const dir = paths.map((p) => join(p, source.package)).find((d) => existsSync(join(d, 'package.json')));
  if (!dir) throw new Error(`${manifestPath}: npm package ${source.package}@${source.version} is not installed (run "npm ci")`);
  const { version } = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { version?: string };
  if (version !== source.version)
    throw new Error(`${manifestPath}: npm package ${source.package} is ${version}, the manifest pins ${source.version}`);
  return join(dir, source.dir);
}

/** Finds and verifies a pinned model's files: npm package, else next to the manifest, else `searchDirs`. */
export async function loadPinnedModel(manifestPath: string, searchDirs: readonly string[] = [sharedPlatesDir]): Promise<LoadedPinnedModel> {
  const manifest = await readPinnedManifest(manifestPath);
  const dirs = manifest.npm ? [await npmPackageDir(manifest.npm, manifestPath)] : [dirname(resolve(manifestPath)), ...searchDirs];
  const locate = (name: string) => {
    const found = dirs.map((d) => join(d, name)).find((p) => existsSync(p));
    if (!found)
      throw new FileVerificationError(
        name,
        'missing',
        `${manifestPath}: "${name}" not found in ${dirs.join(' or ')} (run "npm run setup" to provision it)`,
      );
    return found;
  };
  const modelPath = locate(manifest.file);
  const sha = await verifyFile(modelPath, { sha256: manifest.sha256, size: manifest.size });
  if (!manifest.dictionary) return { manifest, modelPath, sha256: sha };
  const dictionaryPath = locate(manifest.dictionary.file);
  await verifyFile(dictionaryPath, { sha256: manifest.dictionary.sha256 });
  return { manifest, modelPath, sha256: sha, dictionaryPath };
}

/**
 * Provisions a pinned model like the detector's (next to the manifest → shared folder → URL, SHA-256 checked);
 * an npm-shipped model is only verified where npm installed it.
 */
export async function provisionPinnedModel(manifestPath: string, sharedDir = sharedPlatesDir): Promise<ProvisionResult[]> {
  const manifest = await readPinnedManifest(manifestPath);
  if (manifest.npm) {
    const loaded = await loadPinnedModel(manifestPath);
    return [loaded.modelPath, loaded.dictionaryPath].filter((f) => f !== undefined).map((file) => ({ file, action: 'verified' as const }));
  }
  const dir = dirname(resolve(manifestPath));
  return [
    await provisionFile(
      dir,
      { name: manifest.file, pin: { sha256: manifest.sha256, size: manifest.size }, url: manifest.url },
      { sharedDir },
    ),
  ];
}
