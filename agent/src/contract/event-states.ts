import { z } from 'zod';

/** An event's lifecycle on the wire: the rules open, update and end it; a dispatch that saw it stop clears it. */
export const eventStateSchema = z.enum(['started', 'updated', 'ended', 'cleared']);
export type EventState = z.infer<typeof eventStateSchema>;

/** What an operator can do to an event; the lifecycle decides what each does to it. */
export const operatorActionSchema = z.enum(['ack', 'dispatch', 'false_positive', 'resolve']);
export type OperatorAction = z.infer<typeof operatorActionSchema>;
