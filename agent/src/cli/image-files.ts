import { basename, extname, join } from 'node:path';
import type { RgbImage } from '../core/geometry.ts';
import { readRgbImage } from '../detect/image-file.ts';
import { type Io, UserError } from './command.ts';

/** What a command on image files (`jifang detect`, `jifang plate`) makes of one image and how it shows it. */
export interface ImageCommand<R> {
  analyse(image: RgbImage, file: string): Promise<R>;
  text(r: R): string;
  json(r: R): unknown;
  annotate(image: RgbImage, r: R, file: string): Promise<void>;
  /** Names an annotated copy in an --out folder: "detect" → NAME.detect.jpg. */
  suffix: string;
}

/** Each image in turn: its text (or, with --json, one document of all at the end) and, with --out, an annotated copy. */
export async function runOnImages<R>(
  files: readonly string[],
  o: { json: boolean; out?: string },
  io: Io,
  command: ImageCommand<R>,
): Promise<void> {
  const results: R[] = [];
  for (const file of files) {
    const image = await readRgbImage(file).catch((err: Error) => {
      throw new UserError(`${file}: cannot read the image (${err.message})`);
    });
    const result = await command.analyse(image, file);
    results.push(result);
    if (!o.json) io.out.write(command.text(result));
    if (o.out) await command.annotate(image, result, outPath(o.out, file, files.length, command.suffix));
  }
  if (o.json)
    io.out.write(
      `${JSON.stringify(
        results.map((r) => command.json(r)),
        null,
        2,
      )}\n`,
    );
}

/** --out names the file for one image and a folder for several. */
function outPath(out: string, image: string, count: number, suffix: string): string {
  if (count === 1) return out;
  return join(out, `${basename(image, extname(image))}.${suffix}.jpg`);
}
