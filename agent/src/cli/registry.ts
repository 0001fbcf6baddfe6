import type { Command } from './command.ts';

export interface RegistryEntry {
  /** One line for `jifang --help`: the arguments, then what the command does. */
  summary: string;
  /** Loaded only when the command runs, so `jifang healthcheck` never loads the model runtime or image codecs. */
  load(): Promise<{ command: Command }>;
}

/** Every `jifang` command: a new command is its own `*-command.ts` exporting `command`, plus one line here. */
export const registry: Record<string, RegistryEntry> = {
  run: { summary: 'CONFIG                 run the agent with a config file', load: () => import('./run-command.ts') },
  'check-config': {
    summary: 'FILE...       validate config files; every problem as FILE: path: message',
    load: () => import('./check-config.ts'),
  },
  detect: { summary: 'IMAGE... [options]  run the detector on images', load: () => import('./detect-command.ts') },
  plate: { summary: 'IMAGE... [options]   find and read licence plates on images', load: () => import('./plate-command.ts') },
  catalogue: {
    summary: '[CONFIG]          the event catalogue (types, codes, presets); with CONFIG, which its model can serve',
    load: () => import('./catalogue-command.ts'),
  },
  passwd: {
    summary: 'FILE USER [--role R] add a console user or set a password (scrypt hash in FILE)',
    load: () => import('./passwd-command.ts'),
  },
  center: {
    summary: "CONFIG              run the command center (archive, operators' and dispatchers' console)",
    load: () => import('./center-command.ts'),
  },
  demo: {
    summary: 'AGENT CENTER          the demo: the agent on its embedded broker and the command center (npm start)',
    load: () => import('./demo-command.ts'),
  },
  audit: {
    summary: "verify|keygen ...    check the audit log's hash chain, make a signing key pair",
    load: () => import('./audit-command.ts'),
  },
  dataset: {
    summary: 'export --out DIR [CONFIG]  training data (YOLO/COCO) from confirmed events and false positives',
    load: () => import('./dataset-command.ts'),
  },
  healthcheck: {
    summary: 'CONFIG         exit 0 if the agent of CONFIG is alive (container health checks)',
    load: () => import('./healthcheck-command.ts'),
  },
  risk: {
    summary: 'backtest|plan FILE...   where and when to patrol: backtest the risk model, plan patrols',
    load: () => import('./risk-command.ts'),
  },
  schema: {
    summary: '[--out DIR]         JSON Schemas of the alert, health, status, commands, dataset manifest and config',
    load: () => import('./schema-command.ts'),
  },
};
