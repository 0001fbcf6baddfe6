import { z } from 'zod';

/** A camera stream's state, as ingest supervises it and health reports it. */
export const streamStateSchema = z.enum(['connecting', 'streaming', 'backoff', 'failed', 'stopped']);
export type StreamState = z.infer<typeof streamStateSchema>;
