import type { CommandRun } from './types.ts';

/** `cmd/event`: an operator's decision, applied by the rules of whichever camera holds the event. */
export const runEventCommand: CommandRun<'event'> = async (cmd, handlers, at) => ({ outcome: await handlers.applyEventAction(cmd, at) });
