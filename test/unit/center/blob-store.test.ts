import { mkdtemp, readdir, rm, stat, truncate, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BlobStore, openBlobStore } from '../../../agent/src/center/store/blob-store.ts';
import { sha256Hex } from '../../../agent/src/core/hash.ts';

/** The center's blob store on a real folder: what a caller stores is what it reads back, once, named by its digest. */
let dir: string;
let blobs: BlobStore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'jifang-blobs-'));
  blobs = await openBlobStore(join(dir, 'blobs'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const jpeg = (n: number) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(n, n % 251)]);

describe('blob store', () => {
  it('gives back the bytes it stored, under their SHA-256', async () => {
    const data = jpeg(300_000);
    const put = await blobs.put(data);
    expect(put).toEqual({ sha256: sha256Hex(data), bytes: data.length, inserted: true });
    expect(await blobs.exists(put.sha256)).toBe(true);
    expect((await blobs.get(put.sha256))?.equals(data)).toBe(true);
  });

  it('stores the same bytes once: a second put (a redelivered message) is not a new blob', async () => {
    const data = jpeg(1000);
    const first = await blobs.put(data);
    const again = await blobs.put(Buffer.from(data));
    expect(again).toEqual({ ...first, inserted: false });
    expect(await readdir(join(dir, 'blobs', first.sha256.slice(0, 2)))).toEqual([first.sha256]);
  });

  it("stores a batch's pictures at once: each readable under its digest, one already there not stored again", async () => {
    const had = await blobs.put(jpeg(10));
    const batch = [jpeg(20), jpeg(30), jpeg(10), jpeg(40_000)];
    const put = await blobs.putAll(batch);
    expect(put.map((p) => p.inserted)).toEqual([true, true, false, true]);
    expect(put[2]).toEqual({ ...had, inserted: false });
    for (const [i, p] of put.entries()) expect((await blobs.get(p.sha256))?.equals(batch[i] as Buffer)).toBe(true);
    expect(await readdir(join(dir, 'blobs', 'tmp'))).toEqual([]);
  });

  it('leaves no temporary file behind and keeps each blob readable by its owner only', async () => {
    const { sha256 } = await blobs.put(jpeg(50));
    expect(await readdir(join(dir, 'blobs', 'tmp'))).toEqual([]);
    expect((await stat(join(dir, 'blobs', sha256.slice(0, 2), sha256))).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'blobs', sha256.slice(0, 2)))).mode & 0o777).toBe(0o700);
  });

  it('answers null for a blob it does not hold, and deletes one only once', async () => {
    const { sha256 } = await blobs.put(jpeg(10));
    const other = sha256Hex('not stored');
    expect(await blobs.get(other)).toBeNull();
    expect(await blobs.exists(other)).toBe(false);
    expect(await blobs.delete(sha256)).toBe(true);
    expect(await blobs.delete(sha256)).toBe(false);
    expect(await blobs.get(sha256)).toBeNull();
  });

  it('refuses a name that is not a digest (no path outside its folder)', async () => {
    await expect(blobs.get('../../etc/passwd')).rejects.toThrow(/not a SHA-256 digest/);
    await expect(blobs.delete('AB'.repeat(32))).rejects.toThrow(/64 lower-case hex digits/);
  });

  it('rewrites a blob whose file is not whole (damaged outside the store)', async () => {
    const data = jpeg(5000);
    const { sha256 } = await blobs.put(data);
    await truncate(join(dir, 'blobs', sha256.slice(0, 2), sha256), 100);
    expect((await blobs.put(data)).inserted).toBe(true);
    expect((await blobs.get(sha256))?.equals(data)).toBe(true);
  });

  it('clears temporary files a crash left an hour ago when it opens, and keeps a write in progress', async () => {
    const tmp = join(dir, 'blobs', 'tmp');
    await writeFile(join(tmp, 'crashed'), 'half');
    const old = new Date(Date.now() - 2 * 3_600_000);
    await utimes(join(tmp, 'crashed'), old, old);
    await writeFile(join(tmp, 'writing'), 'half');
    const reopened = await openBlobStore(join(dir, 'blobs'));
    expect(await readdir(tmp)).toEqual(['writing']);
    expect(reopened.dir).toBe(join(dir, 'blobs'));
  });
});
