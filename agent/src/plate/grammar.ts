/** The 31 mainland province-level abbreviations that open a civil plate. */
export const PROVINCES = '京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼';
/** Characters that end a special plate: police, learner, trailer, Hong Kong / Macau crossing, consulate, embassy, temporary. */
export const SUFFIXES = '警学挂港澳领使临';

export type PlateKind = 'standard' | 'new-energy' | 'special';

export type GrammarResult = { valid: true; kind: PlateKind; suffix?: string } | { valid: false; reason: string };

// I and O are never issued: they read as 1 and 0.
const SERIAL = '[A-HJ-NP-Z0-9]';
const standard = new RegExp(`^[${PROVINCES}][A-HJ-NP-Z]${SERIAL}{5}$`);
const special = new RegExp(`^[${PROVINCES}][A-HJ-NP-Z]${SERIAL}{4}[${SUFFIXES}]$`);
// GA 36-2018 new-energy: small cars D/F (+ one serial) + 4 digits; large vehicles 5 digits + D/F.
const newEnergy = new RegExp(`^[${PROVINCES}][A-HJ-NP-Z](?:[DF]${SERIAL}[0-9]{4}|[0-9]{5}[DF])$`);

/** Checks a plate text (no separators) against the civil plate grammar; the reason names the first thing wrong. */
export function checkPlateGrammar(text: string): GrammarResult {
  const chars = [...text];
  if (standard.test(text)) return { valid: true, kind: 'standard' };
  if (special.test(text)) return { valid: true, kind: 'special', suffix: chars[6] };
  if (newEnergy.test(text)) return { valid: true, kind: 'new-energy' };
  if (chars.length < 7 || chars.length > 8) return { valid: false, reason: `${chars.length} characters; expected 7 (8 for new-energy)` };
  if (!PROVINCES.includes(chars[0])) return { valid: false, reason: `"${chars[0]}" is not a province abbreviation` };
  if (!/^[A-HJ-NP-Z]$/.test(chars[1]))
    return { valid: false, reason: `"${chars[1]}" after the province is not an issuing-office letter (A–Z without I, O)` };
  const bad = chars.slice(2).find((c) => /[IO]/.test(c));
  if (bad) return { valid: false, reason: `"${bad}" is never issued (I and O read as 1 and 0)` };
  if (chars.length === 8) return { valid: false, reason: 'an 8-character plate is new-energy: D or F then 5, or 5 digits then D or F' };
  const suffix = chars.slice(2, 6).find((c) => SUFFIXES.includes(c));
  if (suffix) return { valid: false, reason: `"${suffix}" may only end the plate` };
  return { valid: false, reason: `"${chars.slice(2).join('')}" is not 5 letters or digits, or 4 and a suffix (${SUFFIXES})` };
}
