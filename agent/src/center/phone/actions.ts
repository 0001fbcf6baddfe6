import type { PhoneDb } from './idb.ts';
import type { Outcome, PhoneAction, Where } from './outbox.ts';
import { compressPhoto } from './photo.ts';
import type { Sender } from './sender.ts';
import { state } from './state.ts';

/*
 * What the officer's taps do: each becomes an outbox item at once (so nothing depends on the signal at that moment),
 * with the phone's position as the action's "where", and the sender is asked to try.
 */

export interface Acting {
  db: PhoneDb;
  sender: Sender;
  changed(): void;
}

function where(): Where | undefined {
  const f = state.fix;
  return f ? { lon: f.lon, lat: f.lat, ...(f.accuracyM !== undefined ? { accuracyM: f.accuracyM } : {}) } : undefined;
}

async function queued(a: Acting): Promise<void> {
  state.outbox = await a.db.items();
  a.changed();
  a.sender.kick();
}

export async function act(
  a: Acting,
  orderId: string,
  action: PhoneAction,
  extra: { outcome?: Outcome; note?: string } = {},
): Promise<void> {
  const w = where();
  await a.db.add((seq) => ({
    kind: 'transition',
    seq,
    clientId: crypto.randomUUID(),
    orderId,
    madeAt: Date.now(),
    attempts: 0,
    action,
    ...(extra.outcome ? { outcome: extra.outcome } : {}),
    ...(extra.note ? { note: extra.note } : {}),
    ...(w ? { where: w } : {}),
  }));
  await queued(a);
}

/** A photo from the camera: compressed on the phone, then queued like an action (before the "done" that follows it). */
export async function addPhoto(a: Acting, orderId: string, file: Blob): Promise<void> {
  const jpeg = await compressPhoto(file);
  await a.db.add((seq) => ({
    kind: 'photo',
    seq,
    clientId: crypto.randomUUID(),
    orderId,
    madeAt: Date.now(),
    attempts: 0,
    jpeg,
    bytes: jpeg.size,
  }));
  await queued(a);
}
