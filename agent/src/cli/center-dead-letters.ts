import { type CenterConfig, centerClientId } from '../center/config.ts';
import { forwarderIds } from '../center/forward.ts';
import { createIngest } from '../center/ingest.ts';
import { openStore } from '../center/service.ts';
import type { Logger } from '../core/log.ts';
import { type Io, UsageError } from './command.ts';

/**
 * `jifang center dead-letters CONFIG [replay ID]`: the messages the archive refused, newest first, and the replay of
 * one (after the cause is fixed) — the same as the console's admin API, for a shell on the server.
 */
export async function deadLettersCommand(cfg: CenterConfig, args: string[], log: Logger, io: Io): Promise<number> {
  const [action = 'list', id, ...extra] = args;
  if (extra.length || !['list', 'replay'].includes(action) || (action === 'replay') !== (id !== undefined))
    throw new UsageError('expected "dead-letters CONFIG" to list them or "dead-letters CONFIG replay ID"');
  if (id !== undefined && !/^[1-9][0-9]{0,15}$/.test(id))
    throw new UsageError(`expected a dead letter id (a positive whole number), not "${id}"`);
  const store = await openStore(cfg);
  try {
    if (id === undefined) {
      const letters = await store.listDeadLetters(1000);
      for (const d of letters)
        io.out.write(
          `${d.id}\t${new Date(d.receivedAt).toISOString()}\t${d.replayedAt ? 'replayed' : 'waiting'}\t${d.bytes} B\t${d.topic}\t${d.code ?? '-'} ${d.replayError ?? d.error}\n`,
        );
      if (!letters.length) io.err.write('no dead letters\n');
      return 0;
    }
    const ingest = createIngest({
      root: cfg.mqtt.root,
      store,
      instance: `${centerClientId(cfg.mqtt)}-cli`,
      forwarders: (state) => forwarderIds(cfg.forwarders, state),
      log,
    });
    const out = await ingest.replay(Number(id));
    io.out.write(out.ok ? `dead letter ${id} archived\n` : `dead letter ${id} not archived: ${out.error}\n`);
    return out.ok ? 0 : 1;
  } finally {
    await store.close();
  }
}
