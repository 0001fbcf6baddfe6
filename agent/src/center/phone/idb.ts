import type { OutboxItem } from './outbox.ts';

/*
 * The phone's IndexedDB: the outbox (what waits to be sent, photos included, surviving a reload or a killed tab) and a
 * few remembered values (the last task list, so a page opened in a dead zone still shows the tasks).
 */

const DB = 'jifang-patrol';
const OUTBOX = 'outbox';
const META = 'meta';

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

export interface PhoneDb {
  items(): Promise<OutboxItem[]>;
  /** Adds an item numbered after every other, in one transaction (two taps at once cannot get one number). */
  add(make: (seq: number) => OutboxItem): Promise<OutboxItem>;
  put(item: OutboxItem): Promise<void>;
  remove(seq: number): Promise<void>;
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
}

export async function openPhoneDb(user: string): Promise<PhoneDb> {
  const open = indexedDB.open(`${DB}:${user}`, 1);
  open.onupgradeneeded = () => {
    open.result.createObjectStore(OUTBOX, { keyPath: 'seq' });
    open.result.createObjectStore(META);
  };
  const db = await request(open);
  const store = (name: string, mode: IDBTransactionMode) => db.transaction(name, mode).objectStore(name);
  return {
    items: () => request(store(OUTBOX, 'readonly').getAll() as IDBRequest<OutboxItem[]>),
    add: async (make) => {
      const tx = db.transaction([OUTBOX, META], 'readwrite');
      const meta = tx.objectStore(META);
      // The last number ever used is kept apart: an emptied outbox does not start again at 1 behind a sent item.
      const last = ((await request(meta.get('lastSeq'))) as number | undefined) ?? 0;
      const item = make(last + 1);
      meta.put(item.seq, 'lastSeq');
      tx.objectStore(OUTBOX).put(item);
      await done(tx);
      return item;
    },
    put: async (item) => {
      const tx = db.transaction(OUTBOX, 'readwrite');
      tx.objectStore(OUTBOX).put(item);
      await done(tx);
    },
    remove: async (seq) => {
      const tx = db.transaction(OUTBOX, 'readwrite');
      tx.objectStore(OUTBOX).delete(seq);
      await done(tx);
    },
    get: async <T>(key: string) => (await request(store(META, 'readonly').get(key))) as T | undefined,
    set: async (key, value) => {
      const tx = db.transaction(META, 'readwrite');
      tx.objectStore(META).put(value, key);
      await done(tx);
    },
  };
}
