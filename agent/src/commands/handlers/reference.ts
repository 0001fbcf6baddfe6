import { unknownCamera, type CommandRun } from './types.ts';

/** `cmd/reference`: the camera's current view becomes its clean-scene reference for static-foreground rules. */
export const runReferenceCommand: CommandRun<'reference'> = async ({ camera }, handlers) => ({
  outcome: unknownCamera(camera, handlers) ?? handlers.captureReference(camera),
});
