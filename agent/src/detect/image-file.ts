import sharp from 'sharp';
import type { RgbImage } from '../core/geometry.ts';

/** Decodes an image file (JPEG, PNG, …) to tightly packed RGB24, dropping any alpha channel. */
export async function readRgbImage(file: string): Promise<RgbImage> {
  const { data, info } = await sharp(file).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`${file}: decoded to ${info.channels} channels; expected RGB`);
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}
