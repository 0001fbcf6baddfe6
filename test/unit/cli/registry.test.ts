import { describe, expect, it } from 'vitest';
import { registry } from '../../../agent/src/cli/registry.ts';

/** `jifang --help` is built from the commands themselves: each registered file must say who it is and what it does. */
describe('the command registry', () => {
  it.each(Object.entries(registry))('%s: its usage names it, its --help line says what it does', async (name, load) => {
    const { command } = await load();
    expect(command.usage.split('\n')[0]).toMatch(new RegExp(`^usage: jifang ${name}( |$)`));
    expect(command.summary.text).toMatch(/\w/);
    expect(command.run !== undefined || command.subcommands !== undefined).toBe(true);
  });
});
