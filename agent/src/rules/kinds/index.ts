import type { RuleKind } from '../kind.ts';
import type { TrackLimits } from '../limits.ts';
import type { RuleConfig, RuleType } from '../config.ts';
import { illegalParking } from './illegal-parking.ts';
import { lineCrossing } from './line-crossing.ts';
import { loitering } from './loitering.ts';
import { crowd, intrusion } from './presence.ts';
import { staticObject } from './static-object.ts';
import { streetVending } from './street-vending.ts';

const KINDS: { [T in RuleType]: RuleKind<Extract<RuleConfig, { type: T }>> } = {
  illegal_parking: illegalParking,
  street_vending: streetVending,
  intrusion,
  crowd,
  line_crossing: lineCrossing,
  loitering,
  static_object: staticObject,
};

export function ruleKind<P extends RuleConfig>(params: P): RuleKind<P> {
  return KINDS[params.type] as unknown as RuleKind<P>;
}

/** The plain-language description of a configured rule, as the alert carries it. */
export function describeRule(params: RuleConfig, limits?: TrackLimits): string {
  return ruleKind(params).describe(params, limits);
}
