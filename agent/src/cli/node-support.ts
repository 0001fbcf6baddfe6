/** End of life of each Node.js release line (nodejs.org/en/about/previous-releases); odd lines live six months. */
const END_OF_LIFE: Record<number, string> = {
  20: '2026-04-30',
  21: '2024-06-01',
  22: '2027-04-30',
  23: '2025-06-01',
  24: '2028-04-30',
  25: '2026-06-01',
  26: '2029-04-30',
};

/** Why this Node.js should be upgraded, or undefined while its release line is supported. Pure: today is given. */
export function nodeEndOfLifeWarning(version: string, today: Date): string | undefined {
  const major = Number(version.replace(/^v/, '').split('.')[0]);
  const eol = END_OF_LIFE[major];
  if (!eol || today.getTime() < Date.parse(`${eol}T00:00:00Z`)) return undefined;
  return `Node.js ${version.replace(/^v/, '')} is past its end of life (${eol}): no more security fixes; upgrade to a current LTS (22 or 24)`;
}
