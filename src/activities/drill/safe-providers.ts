import type { EmailProvider, IntegrationProviders } from '../providers';

/**
 * The guard that keeps every drill away from real people, whichever providers are configured: a drill's email goes
 * only to drill participants (named in the policy's `drills`), never to stakeholders or any other contact. The
 * workflow sends a drill's messages on the same paths as a real incident's (and keeps drills off the status page and
 * the pager itself); this is the one place that decides who may receive one.
 */
export function drillSafeProviders(providers: IntegrationProviders): IntegrationProviders {
  const participants = new Set(Object.values(providers.policy.drills).flatMap((drill) => drill.participants));
  const email: EmailProvider = {
    // The handoff goes through: without it a retry on another worker would mail again (README, Email).
    async send(request, handoff) {
      if (!request.drill) return providers.email.send(request, handoff);
      const audience = request.audience.filter((name) => participants.has(name));
      const left = request.audience.filter((name) => !participants.has(name));
      if (audience.length === 0) return { destination: `drill: not sent to ${left.join(', ')}`, duplicate: false };
      const receipt = await providers.email.send({ ...request, audience }, handoff);
      const note = left.length > 0 ? ` (drill: not sent to ${left.join(', ')})` : '';
      return { ...receipt, destination: `${receipt.destination}${note}` };
    },
  };
  return { ...providers, email };
}
