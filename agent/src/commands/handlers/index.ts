import type { CommandName } from '../../contract/commands.ts';
import { runSnapshotCommand } from './snapshot.ts';
import { type CommandRun, unknownCamera } from './types.ts';

/**
 * Every box command, one line each, checked against the wire's command names. A command whose work is one capability
 * of the box (`CommandHandlers`) calls it here; a command with steps of its own is a file beside this one.
 */
export const COMMAND_RUNS: { [N in CommandName]: CommandRun<N> } = {
  /** An operator's decision, applied by the rules of whichever camera holds the event. */
  event: async (cmd, box, at) => ({ outcome: await box.applyEventAction(cmd, at) }),
  snapshot: runSnapshotCommand,
  /** Re-read the config; an invalid one, or one needing a restart, leaves the running one in place. */
  reload: async (_cmd, box) => ({ outcome: await box.reload() }),
  /** The camera's current view becomes its clean-scene reference for static-foreground rules. */
  reference: async ({ camera }, box) => ({ outcome: unknownCamera(camera, box) ?? box.captureReference(camera) }),
  /** The center's archive missed these publications: what the box still keeps goes out again. */
  resend: async ({ from, to }, box) => ({ outcome: box.resend({ from, to }) }),
};
