import type { RuleType } from '../../contract/rule-types.ts';
import type { RuleKind } from '../kind.ts';
import type { TrackLimits } from '../limits.ts';
import type { RuleConfig } from '../config.ts';
import { illegalParking } from './illegal-parking.ts';
import { lineCrossing } from './line-crossing.ts';
import { loitering } from './loitering.ts';
import { crowd, intrusion } from './presence.ts';
import { staticObject } from './static-object.ts';
import { streetVending } from './street-vending.ts';

/** The kind of rule type T over its config; `never` when rules/config.ts has no schema of that type. */
type KindOf<T extends RuleType> = [Extract<RuleConfig, { type: T }>] extends [never] ? never : RuleKind<Extract<RuleConfig, { type: T }>>;

/**
 * One kind per rule type of the wire (contract/rule-types.ts), each over its config: a type missing here or from the
 * config's union, or one the wire lacks, fails tsc.
 */
const KINDS = {
  illegal_parking: illegalParking,
  street_vending: streetVending,
  intrusion,
  crowd,
  line_crossing: lineCrossing,
  loitering,
  static_object: staticObject,
} satisfies { [T in RuleType]: KindOf<T> };

export function ruleKind<P extends RuleConfig>(params: P): RuleKind<P> {
  return KINDS[params.type] as unknown as RuleKind<P>;
}

/** The plain-language description of a configured rule, as the alert carries it. */
export function describeRule(params: RuleConfig, limits?: TrackLimits): string {
  return ruleKind(params).describe(params, limits);
}
