import type { Command, Summary } from './command.ts';

/** A command's module; loaded only when that command runs, so `jifang healthcheck` never loads the model runtime. */
export type CommandModule = () => Promise<{ command: Command & { summary: Summary } }>;

/** Every `jifang` command: a new command is its own `NAME-command.ts` exporting `command`, plus one line here. */
export const registry: Record<string, CommandModule> = {
  run: () => import('./run-command.ts'),
  'check-config': () => import('./check-config-command.ts'),
  detect: () => import('./detect-command.ts'),
  plate: () => import('./plate-command.ts'),
  catalogue: () => import('./catalogue-command.ts'),
  passwd: () => import('./passwd-command.ts'),
  center: () => import('./center-command.ts'),
  demo: () => import('./demo-command.ts'),
  audit: () => import('./audit-command.ts'),
  dataset: () => import('./dataset-command.ts'),
  healthcheck: () => import('./healthcheck-command.ts'),
  risk: () => import('./risk-command.ts'),
  schema: () => import('./schema-command.ts'),
};
