import type { z } from 'zod';
import type { RuleType } from '../../contract/rule-types.ts';
import type { RuleKind } from '../kind.ts';
import type { TrackLimits } from '../limits.ts';
import { illegalParking } from './illegal-parking.ts';
import { lineCrossing } from './line-crossing.ts';
import { loitering } from './loitering.ts';
import { crowd, intrusion } from './presence.ts';
import { staticObject } from './static-object.ts';
import { streetVending } from './street-vending.ts';

/**
 * Every rule type, one line each: the config's rule union and its error text, the editor's forms and the console's
 * words are read from here. A new rule type is its file in this folder plus its line here.
 */
export const RULE_KINDS = [illegalParking, streetVending, intrusion, crowd, lineCrossing, loitering, staticObject] as const;

/** A configured rule: the config of one of the registered types. */
export type RuleConfig = z.output<(typeof RULE_KINDS)[number]['schema']>;

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
/** tsc fails unless this registry and the wire's list (contract/rule-types.ts) name the same rule types. */
export type RegistryMatchesWire = Assert<Same<RuleConfig['type'], RuleType>>;

const BY_TYPE = new Map<string, RuleKind<never>>(RULE_KINDS.map((k) => [k.schema.shape.type.value, k as RuleKind<never>]));

/** The kind of a rule type name (one of `RULE_TYPES`). */
export function kindOfType(type: RuleType): RuleKind<RuleConfig> {
  return BY_TYPE.get(type) as RuleKind<RuleConfig>;
}

export function ruleKind<P extends RuleConfig>(params: P): RuleKind<P> {
  return kindOfType(params.type) as RuleKind<P>;
}

/** The plain-language description of a configured rule, as the alert carries it. */
export function describeRule(params: RuleConfig, limits?: TrackLimits): string {
  return ruleKind(params).describe(params, limits);
}
