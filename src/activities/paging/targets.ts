import type { Policy } from '../../domain/policy';
import { SEVERITIES, type Severity } from '../../domain/severity';

/** Who the policy can page: its contacts, primary-oncall, and every target a ladder or escalation names. */
export function pageTargets(policy: Policy): string[] {
  const targets = new Set<string>(['primary-oncall', ...Object.keys(policy.contacts)]);
  for (const severity of SEVERITIES) {
    const rules = policy.severities[severity];
    for (const step of rules.escalationLadder) targets.add(step.target);
    if (rules.statusUpdates) targets.add(rules.statusUpdates.target);
    if (rules.unresolved) targets.add(rules.unresolved.target);
  }
  return [...targets].sort();
}

/** The escalation matrix (runbooks 001, 003): per severity, who is paged, when, and how they are reached. */
export function escalationMatrix(policy: Policy, only?: Severity): string[] {
  const contact = (target: string) => {
    const c = policy.contacts[target];
    if (!c) return target;
    const ways = [...c.email, ...(c.slackUserId ? [`slack ${c.slackUserId}`] : [])];
    return `${target}${c.name ? ` (${c.name})` : ''}${ways.length > 0 ? `: ${ways.join(', ')}` : ''}`;
  };
  const minutes = (ms: number) => (ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : `${Math.round(ms / 60_000)}m`);
  const lines: string[] = [];
  for (const severity of only ? [only] : SEVERITIES) {
    const rules = policy.severities[severity];
    lines.push(`${severity} (page on-call: ${rules.pageOnCall})`);
    const first = rules.pageOnCall === 'never' ? 'nobody is paged at declaration' : contact('primary-oncall');
    lines.push(`  ${'page'.padEnd(9)}${first}`);
    let wait = 0;
    rules.escalationLadder.forEach((step, level) => {
      wait += level === 0 ? rules.acknowledgeWithin : (step.after ?? rules.acknowledgeWithin);
      lines.push(`  +${minutes(wait).padEnd(8)}${contact(step.target)} if not acknowledged`);
    });
    if (rules.statusUpdates) {
      const after = rules.statusUpdates.every + rules.statusUpdates.escalateAfter;
      lines.push(`  +${minutes(after).padEnd(8)}${contact(rules.statusUpdates.target)} if no status update`);
    }
    if (rules.unresolved) {
      lines.push(`  +${minutes(rules.unresolved.after).padEnd(8)}${contact(rules.unresolved.target)} if unresolved`);
    }
  }
  const others = Object.keys(policy.contacts).filter((name) => !lines.some((line) => line.includes(` ${name}`)));
  if (others.length > 0) lines.push('other contacts', ...others.map((name) => `  ${contact(name)}`));
  return lines;
}
