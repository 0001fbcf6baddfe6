import { z } from 'zod';

/** `audit:` section. The log itself always runs (in `<dataDir>/audit/`); only sealing is optional. */
export const auditConfigSchema = z.strictObject({
  signingKeyFile: z.string().min(1, { error: 'expected the path of an Ed25519 private key file (PEM)' }).optional().meta({
    description:
      "An Ed25519 private key (PEM) that signs each day's audit log, so a changed log can be proven; make one with jifang audit keygen. Absent: not signed.",
  }),
  backupDir: z.string().min(1, { error: 'expected the path of a backup folder' }).optional().meta({
    description:
      'A folder for a second copy of the audit log (another disk, a mounted share), brought up to date at start, every backupIntervalMinutes and at stop.',
  }),
  backupIntervalMinutes: z
    .number()
    .positive()
    .default(60)
    .meta({ description: 'Minutes between backups of the audit log to backupDir (default 60).' }),
});
export type AuditConfig = z.infer<typeof auditConfigSchema>;
