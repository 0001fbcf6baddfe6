import { z } from 'zod';
import { dutySlotSchema, shopContactConfigSchema, unitIdSchema, unitSpecSchema } from './schema.ts';
import type { StageLimits } from './workflow.ts';

const minutes = (what: string) => z.number().positive().describe(`${what}, in minutes.`);

export const stageLimitsSchema = z
  .strictObject({
    dispatch: minutes('From opening to dispatch (派遣)'),
    arrive: minutes('From dispatch to arrival (到场)'),
    handle: minutes('From arrival to handled (处置)'),
  })
  .describe('Time limits of one category.');

/** Defaults per category where the city's practice differs from the general one (minutes: 派遣, 到场, 处置). */
export const DEFAULT_LIMITS: Record<string, StageLimits> = {
  default: { dispatch: 15, arrive: 30, handle: 60 },
  street_vending: { dispatch: 10, arrive: 20, handle: 30 },
  mobile_vendor: { dispatch: 5, arrive: 15, handle: 20 },
  illegal_parking: { dispatch: 10, arrive: 15, handle: 30 },
  fire_lane_blocked: { dispatch: 5, arrive: 10, handle: 20 },
  overflowing_bin: { dispatch: 30, arrive: 60, handle: 120 },
  exposed_garbage: { dispatch: 30, arrive: 60, handle: 120 },
};

const httpWarningSchema = z
  .strictObject({
    url: z
      .string()
      .regex(/^https?:\/\//, { error: 'expected an http:// or https:// URL' })
      .describe('The IP speaker or LED sign; {{words}} of the order may appear in it.'),
    method: z.enum(['GET', 'POST', 'PUT']).default('POST').describe('HTTP method (default POST).'),
    headers: z.record(z.string(), z.string()).default({}).describe('Extra headers.'),
    body: z
      .unknown()
      .optional()
      .describe(
        'The body: text or JSON with {{categoryName}}, {{address}}, {{time}}, {{category}}, {{orderId}}, {{lon}}, {{lat}}. Absent: none.',
      ),
    timeoutSeconds: z.number().positive().default(5).describe('Seconds to wait for the device (default 5).'),
  })
  .describe('A templated HTTP call to a device near the camera.');

export const warningSchema = z
  .strictObject({
    types: z.array(z.string().min(1)).min(1).describe('Event types warned before dispatch.'),
    http: httpWarningSchema.optional(),
    forwarder: z
      .string()
      .optional()
      .describe(
        "A forwarder id (an SMS or messaging gateway) the warning text is sent through to the spot's shop contacts, one message each.",
      ),
    text: z
      .string()
      .default('{{address}}：{{categoryName}}，请立即整改。')
      .describe('The message, with {{words}} of the order (the forwarder gets it as `text`).'),
    waitSeconds: z.number().positive().default(120).describe('How long the box may report it cleared before dispatch (default 120).'),
  })
  .describe('Warn before dispatch (无事不扰).');
export type WarningConfig = z.infer<typeof warningSchema>;

export const autoOpenSchema = z
  .strictObject({
    types: z.array(z.string().min(1)).min(1).describe('Event types whose alerts open an order by themselves.'),
    schedule: z.array(dutySlotSchema).default([]).describe('When (weekdays and hours); none: always.'),
  })
  .describe('Orders opened automatically per event type and schedule.');

const phoneConfigSchema = z
  .strictObject({
    positionIntervalSeconds: z
      .number()
      .int()
      .min(5)
      .max(3600)
      .default(30)
      .describe("Seconds between the officer's phone position reports while on duty and the page in front (default 30)."),
    geofenceMeters: z
      .number()
      .min(5)
      .max(1000)
      .default(50)
      .describe('Metres around the spot within which the phone suggests "arrived" (default 50).'),
  })
  .default({ positionIntervalSeconds: 30, geofenceMeters: 50 })
  .describe("The officer's phone page (/patrol).");

export const patrolConfigSchema = z
  .strictObject({
    units: z
      .array(unitSpecSchema.extend({ id: unitIdSchema }))
      .default([])
      .describe('Patrol units put on every start (their live state is kept). Units are also managed by API and CLI.'),
    shopContacts: z
      .array(shopContactConfigSchema)
      .default([])
      .describe('Shop contacts put on every start, who get the warnings for their cameras or area. Also managed by API.'),
    limits: z.record(z.string(), stageLimitsSchema).default({}).describe('Time limits per category (event type id) or "default".'),
    autoOpen: z
      .array(autoOpenSchema)
      .default([])
      .describe('Event types whose alerts open a work order by themselves, each with the hours it applies (none: an operator opens them).'),
    warnings: z
      .array(warningSchema)
      .default([])
      .describe(
        'Warn before dispatch (无事不扰), per event type: an IP speaker or LED sign call and/or a message, then a wait for the box to report it cleared.',
      ),
    mergeMeters: z.number().min(0).default(30).describe('Alerts this close to an open order of the same category join it (default 30 m).'),
    repeatMinutes: z
      .number()
      .min(0)
      .default(60)
      .describe('An alert at a spot closed less than this long ago opens a new order marked as its repeat (default 60).'),
    utcOffsetMinutes: z
      .number()
      .int()
      .min(-720)
      .max(840)
      .default(480)
      .describe('The city’s time zone for duty hours (default 480, China).'),
    checkSeconds: z.number().positive().default(15).describe('How often deadlines and warnings are checked (default 15).'),
    photosDir: z
      .string()
      .min(1)
      .default('patrol-photos')
      .describe("Folder of the officers' photos (files named by SHA-256), relative to the config file (default patrol-photos)."),
    phone: phoneConfigSchema,
  })
  .default({
    units: [],
    shopContacts: [],
    limits: {},
    autoOpen: [],
    warnings: [],
    mergeMeters: 30,
    repeatMinutes: 60,
    utcOffsetMinutes: 480,
    checkSeconds: 15,
    photosDir: 'patrol-photos',
    phone: { positionIntervalSeconds: 30, geofenceMeters: 50 },
  })
  .describe('Patrol units and work orders (issue 24).');
export type PatrolConfig = z.infer<typeof patrolConfigSchema>;

/** The limits of a category: the config's, else the built-in default for it, else the general default. */
export function limitsFor(cfg: Pick<PatrolConfig, 'limits'>, category: string): StageLimits {
  return cfg.limits[category] ?? cfg.limits.default ?? DEFAULT_LIMITS[category] ?? DEFAULT_LIMITS.default;
}
