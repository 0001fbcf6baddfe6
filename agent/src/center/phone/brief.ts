import type { RuleType } from '../../contract/rule-types.ts';

/* What the phone shows of an order beyond the order itself: the linked alert's words and picture (GET /api/patrol/orders/:id/brief). */

export interface TaskBrief {
  /** The standard's category, from the linked alert (absent for a hand-made report without one). */
  category: { id: string; name: string; nameEn: string; code?: string } | null;
  /** The plate read by the box, when there is one. */
  plate: string | null;
  /** The rule that decided it, in the box's words (English). */
  rule: string | null;
  /** Its type and parameters, for the page to say it in Chinese (absent in a brief kept by an older page). */
  ruleRef?: { type: RuleType; parameters: Record<string, unknown> } | null;
  address: string | null;
  /** The evidence picture's address on the center, or null when none has arrived. */
  picture: string | null;
}

/** What the phone page starts from (the page's JSON data). */
export interface PhonePageData {
  name: string;
  user: string;
  role: string;
  /** Seconds between position reports while on duty (config `patrol.positionIntervalSeconds`). */
  positionIntervalSeconds: number;
  /** Metres around the spot within which "arrived" is suggested. */
  geofenceMeters: number;
}
