import { describe, expect, it } from 'vitest';
import { nodeEndOfLifeWarning } from '../../../agent/src/cli/node-support.ts';

describe('nodeEndOfLifeWarning', () => {
  it('warns from the day a release line reaches its end of life, not before', () => {
    expect(nodeEndOfLifeWarning('v20.20.2', new Date('2026-04-29T23:59:59Z'))).toBeUndefined();
    expect(nodeEndOfLifeWarning('v20.20.2', new Date('2026-04-30T00:00:00Z'))).toBe(
      'Node.js 20.20.2 is past its end of life (2026-04-30): no more security fixes; upgrade to a current LTS (22 or 24)',
    );
  });

  it('is quiet on the current LTS lines and warns on short-lived odd ones that ended', () => {
    const today = new Date('2026-12-01T12:00:00Z');
    expect(nodeEndOfLifeWarning('v22.21.0', today)).toBeUndefined();
    expect(nodeEndOfLifeWarning('v24.11.1', today)).toBeUndefined();
    expect(nodeEndOfLifeWarning('v23.11.0', today)).toMatch(/^Node\.js 23\.11\.0 is past its end of life \(2025-06-01\)/);
  });
});
