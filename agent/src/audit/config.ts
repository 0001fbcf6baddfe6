import { z } from 'zod';

/** `audit:` section. The log itself always runs (in `<dataDir>/audit/`); only sealing is optional. */
export const auditConfigSchema = z.strictObject({
  /** Ed25519 private key (PEM, PKCS#8) that seals each day's final hash; create one with `jifang audit keygen`. */
  signingKeyFile: z.string().min(1, { error: 'expected the path of an Ed25519 private key file (PEM)' }).optional(),
  /** A second copy of the log (another disk, a mounted share), brought up to date at start, hourly and at stop. */
  backupDir: z.string().min(1, { error: 'expected the path of a backup folder' }).optional(),
  backupIntervalMinutes: z.number().positive().default(60),
});
export type AuditConfig = z.infer<typeof auditConfigSchema>;
