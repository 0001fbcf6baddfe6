import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const sharedDir = resolve(projectRoot, '..', 'shared');

/** Real sample media: the project's samples/ (provisioned by setup) first, else ../shared/samples. */
export function sample(name: string): string {
  for (const dir of [join(projectRoot, 'samples'), join(sharedDir, 'samples')]) {
    const p = join(dir, name);
    if (existsSync(p)) return p;
  }
  throw new Error(`sample ${name} not found in samples/ or ../shared/samples: run "npm run setup"`);
}

export const defaultManifest = join(projectRoot, 'models', 'picodet_s_416_coco.json');
