/**
 * The rule types an alert names (`type`, `rule.type`): the wire's vocabulary. The rules stage has one kind per entry
 * (rules/kinds/index.ts is checked against this list by tsc); renaming or removing one needs a new alert schema version.
 */
export const RULE_TYPES = [
  'illegal_parking',
  'street_vending',
  'intrusion',
  'crowd',
  'line_crossing',
  'loitering',
  'static_object',
] as const;
export type RuleType = (typeof RULE_TYPES)[number];
