import { z } from 'zod';

export const evidenceConfigSchema = z.strictObject({
  /** Longest side of the inline thumbnail; its JPEG is kept ≤ 20 KB. */
  thumbnailWidth: z.number().int().min(32).max(640).default(320),
  jpegQuality: z.number().int().min(10).max(100).default(85),
  /** Evidence older than this is deleted. */
  retentionDays: z.number().positive().default(30),
});
export type EvidenceConfig = z.infer<typeof evidenceConfigSchema>;
