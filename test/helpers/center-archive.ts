import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../agent/src/center/store/sqlite.ts';
import type { CenterStore, IncomingEvent } from '../../agent/src/center/store/types.ts';
import type { Alert } from '../../agent/src/contract/alert.ts';

/** A real SQLite archive in a fresh temp folder; `remove()` closes it and deletes the folder. */
export async function openTempArchive(): Promise<{ store: CenterStore; path: string; remove: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'jifang-center-unit-'));
  const path = join(dir, 'center.db');
  const store = await openSqliteStore(path);
  return {
    store,
    path,
    remove: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An alert as ingest hands it to the store. */
export function incoming(alert: Alert, receivedAt = Date.now()): IncomingEvent {
  return { alert, categoryCode: null, categoryName: null, json: JSON.stringify(alert), receivedAt, receivedBy: 'unit-test' };
}
