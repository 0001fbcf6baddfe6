import type { CommandRun } from './types.ts';

/** `cmd/reload`: re-read the config; an invalid one, or one needing a restart, leaves the running one in place. */
export const runReloadCommand: CommandRun<'reload'> = async (_cmd, handlers) => ({ outcome: await handlers.reload() });
