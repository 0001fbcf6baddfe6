import { fitWithin } from './place.ts';

/** The longer side of an uploaded photo: enough to read a plate or a shop sign, small enough for a weak signal. */
export const PHOTO_MAX_PX = 1600;
const QUALITY = 0.82;

/**
 * A camera photo (often 4000 px, 3–8 MB) made into a JPEG of at most 1600 px on the phone itself, turned upright
 * (createImageBitmap applies the EXIF orientation), before it waits in the outbox.
 */
export async function compressPhoto(file: Blob): Promise<Blob> {
  const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  const size = fitWithin(bitmap.width, bitmap.height, PHOTO_MAX_PX);
  const canvas = document.createElement('canvas');
  canvas.width = size.width;
  canvas.height = size.height;
  const g = canvas.getContext('2d');
  if (!g) throw new Error('no 2D canvas on this phone');
  g.drawImage(bitmap, 0, 0, size.width, size.height);
  bitmap.close();
  return new Promise((resolve, reject) =>
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('the photo could not be encoded as JPEG'))), 'image/jpeg', QUALITY),
  );
}
