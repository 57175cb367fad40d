import { z } from 'zod';
import type { Severity } from '../severity';
import { singleLine } from '../text';

/**
 * What each severity means, with examples, as written in the policy under `severities.<S>.meaning` and `examples`.
 * Shown in `incident declare --help` and in the declaration, so whoever declares classifies the same way.
 */
export const severityDefinitionFields = {
  meaning: singleLine(300).optional(),
  examples: z.array(singleLine(200)).max(12, 'at most 12 examples').optional(),
};

/** Runbooks 001 and 003 (and 002's examples), merged. */
export const DEFAULT_SEVERITY_DEFINITIONS: Record<Severity, { meaning: string; examples: string[] }> = {
  'SEV-1': {
    meaning: 'Complete outage, data loss or corruption, or a confirmed security breach: all users affected',
    examples: [
      'All users unable to access the service',
      'Database completely unavailable or corrupted',
      'Authentication broken (users cannot log in)',
      'Payment processing completely broken',
      'Security breach confirmed',
    ],
  },
  'SEV-2': {
    meaning: 'Major feature unavailable or significant degradation',
    examples: ['AI features down', 'Auth not working for one provider', 'Payment service failing, high error rate'],
  },
  'SEV-3': {
    meaning: 'Minor feature issue, limited or internal-only impact, workaround available',
    examples: ['One endpoint slow', 'UI rendering bug'],
  },
  'SEV-4': {
    meaning: 'Cosmetic, no functional impact, workaround obvious',
    examples: ['Typo in the UI', 'Log spam', 'Non-critical feature edge case'],
  },
};

/** `declare --help`'s table: each severity, what it means, its examples. */
export function severityGuide(definitions: Record<Severity, { meaning?: string; examples?: string[] }>): string[] {
  return Object.entries(definitions).flatMap(([severity, { meaning, examples }]) => [
    `  ${severity}  ${meaning ?? '(no meaning in the policy)'}`,
    ...(examples && examples.length > 0 ? [`         e.g. ${examples.join('; ')}`] : []),
  ]);
}
