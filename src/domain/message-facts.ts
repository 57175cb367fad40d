import { nextPublicUpdateAt, publicDueAt, statusDueAt } from './deadlines';
import { formatDuration } from './duration';
import type { IncidentState, PublicUpdate, StatusUpdate } from './incident';
import type { AudienceEvent, IncidentAudience, TemplateName } from './policy/audiences';
import { bridgeUrl } from './policy/war-room';
import { ROLE_TITLES, type Role } from './severity';

/**
 * What a template is told: plain strings, small, decided by the workflow. The activity renders them with the
 * template files (src/templates, or the team's own), so changing a template never changes the workflow. Whatever a
 * reader may not see is left out here, before any template gets it.
 */
export interface MessageFacts {
  event: AudienceEvent;
  incidentId: string;
  /** `[DRILL] [SEV-1] Checkout is down`; for readers of a security incident outside security, no title. */
  headline: string;
  severity: string;
  service: string;
  status: string;
  drill: boolean;
  security: boolean;
  declaredAt: string;
  summary?: string;
  commander?: string;
  bridge?: string;
  previousSeverity?: string;
  impact?: string;
  hypothesis?: string;
  actions?: string;
  nextUpdate?: string;
  nextPublicUpdate?: string;
  postedBy?: string;
  /** Text written for the public (`--public`), and the status page phase it went out under. */
  publicText?: string;
  phase?: PublicUpdate['phase'];
  duration?: string;
  rootCause?: string;
  mitigations?: string;
  roles?: string;
  /** Where the postmortem draft is (a file or an issue URL), once it is written. */
  postmortem?: string;
  postmortemDue?: string;
}

const iso = (at: number) => new Date(at).toISOString();

function headline(state: IncidentState, title = state.title): string {
  return `${state.drill ? '[DRILL] ' : ''}[${state.severity}] ${title}`;
}

function base(state: IncidentState, event: AudienceEvent): MessageFacts {
  return {
    event,
    incidentId: state.id,
    headline: headline(state),
    severity: state.severity,
    service: state.service,
    status: state.status,
    drill: state.drill,
    security: state.security,
    declaredAt: iso(state.declaredAt),
  };
}

function defined(facts: MessageFacts): MessageFacts {
  return Object.fromEntries(Object.entries(facts).filter(([, v]) => v !== undefined && v !== '')) as MessageFacts;
}

/** When the next word is due: the cadence's real due time, else how often, else at resolution. */
function nextUpdate(state: IncidentState, promised: number | null = null): string {
  const due = statusDueAt(state) ?? promised;
  if (due !== null) return iso(due);
  const cadence = state.policy.rules.statusUpdates;
  return cadence ? `every ${formatDuration(cadence.every)}` : 'at resolution';
}

export function declarationFacts(state: IncidentState): MessageFacts {
  return defined({
    ...base(state, 'declaration'),
    summary: state.summary,
    commander: state.roles.commander,
    bridge: bridgeUrl(state.policy.rules.bridge, state.id),
    nextUpdate: nextUpdate(state),
  });
}

export function statusUpdateFacts(
  state: IncidentState,
  update: StatusUpdate,
  publicText?: string,
  phase?: PublicUpdate['phase'],
): MessageFacts {
  const publicDue = publicDueAt(state);
  return defined({
    ...base(state, 'status-update'),
    impact: update.impact,
    hypothesis: update.hypothesis,
    actions: update.actions,
    nextUpdate: nextUpdate(state, update.nextUpdateAt),
    nextPublicUpdate: publicDue === null ? undefined : iso(publicDue),
    postedBy: update.by,
    publicText,
    phase,
  });
}

export function severityChangeFacts(state: IncidentState, previous: string): MessageFacts {
  return defined({
    ...base(state, 'severity-change'),
    previousSeverity: previous,
    impact: state.statusUpdates.at(-1)?.impact ?? state.summary,
    nextUpdate: nextUpdate(state),
  });
}

/**
 * What the user-facing template is told for one status page update: plain facts and the text written for the public,
 * never the summary, a hypothesis or a name. `nextPublicUpdate` is when the page hears next, counted from this update
 * (call it once the update is on the state).
 */
export function publicUpdateFacts(state: IncidentState, phase: PublicUpdate['phase'], text?: string): MessageFacts {
  const event = phase === 'resolved' ? 'resolution' : 'status-update';
  const next = phase === 'resolved' ? null : nextPublicUpdateAt(state);
  return publicFacts(
    defined({
      ...base(state, event),
      publicText: text,
      phase,
      nextPublicUpdate: next === null ? undefined : iso(next),
    }),
    headline(state),
  );
}

/**
 * The resolution and the post-incident summary: duration, impact, root cause as the resolver wrote it, actions, and
 * the postmortem's due time (its draft's location is added once written: withPostmortemDraft).
 */
export function resolutionFacts(state: IncidentState, event: 'resolution' | 'post-incident-summary'): MessageFacts {
  const end = state.resolvedAt ?? state.closedAt ?? state.declaredAt;
  const roles = (Object.entries(state.roles) as Array<[Role, string]>).map(([r, u]) => `${ROLE_TITLES[r]}: ${u}`);
  const mitigations = state.mitigations.map((m) => `${m.action} (${m.kind}, ${m.outcome ?? 'in progress'})`);
  const lastPublic = state.publicUpdates.filter((u) => u.phase !== 'resolved').at(-1);
  const rules = state.policy.rules.postmortem;
  return defined({
    ...base(state, event),
    duration: formatDuration(end - state.detectedAt),
    impact: state.statusUpdates.at(-1)?.impact ?? state.summary,
    // A hypothesis is not a root cause: only what the resolver wrote.
    rootCause: state.resolutionSummary ?? 'to be determined in the postmortem',
    mitigations: mitigations.join('; ') || 'none recorded',
    roles: roles.join(', '),
    postmortemDue: rules?.required ? iso(end + rules.due) : undefined,
    publicText: lastPublic?.message,
  });
}

/** The summary's facts with where the postmortem draft is, or that it could not be written (null). */
export function withPostmortemDraft(facts: MessageFacts, location: string | null): MessageFacts {
  return { ...facts, postmortem: location ?? 'the draft could not be written: see the incident timeline' };
}

/**
 * The facts one audience may read, or null when it hears nothing of this. Stakeholder-detail audiences never see a
 * hypothesis, actions or who wrote what. In a security incident only the security contact reads it in full; every
 * other audience gets the service, the severity, the times and the text marked public, and nothing on an update
 * that has none.
 */
export function factsFor(audience: IncidentAudience, facts: MessageFacts): MessageFacts | null {
  if (facts.security && !audience.security) {
    if (facts.event === 'status-update' && facts.publicText === undefined) return null;
    return publicFacts(facts, `${facts.drill ? '[DRILL] ' : ''}[${facts.severity}] Security incident`);
  }
  if (audience.detail === 'internal' || audience.security) return facts;
  if (audience.detail === 'public') return publicFacts(facts, facts.headline);
  const shared = { ...facts };
  for (const internal of ['hypothesis', 'actions', 'postedBy', 'roles'] as const) delete shared[internal];
  return shared;
}

/** What the public may read: the service, severity, times and the text written for the public (as the impact). */
function publicFacts(facts: MessageFacts, headline: string): MessageFacts {
  const { event, incidentId, severity, service, status, drill, security, declaredAt, nextUpdate, duration } = facts;
  return defined({
    event,
    incidentId,
    headline,
    severity,
    service,
    status,
    drill,
    security,
    declaredAt,
    impact: facts.publicText,
    publicText: facts.publicText,
    phase: facts.phase,
    nextUpdate: event === 'resolution' || event === 'post-incident-summary' ? undefined : nextUpdate,
    nextPublicUpdate: facts.nextPublicUpdate,
    duration,
  });
}

/** The template an audience reads an event in. */
export function templateFor(audience: IncidentAudience, facts: MessageFacts): TemplateName {
  if (facts.event === 'post-incident-summary') return 'post-incident-summary';
  if (facts.event !== 'status-update') return 'stakeholder-notification';
  if (audience.detail === 'internal' || (facts.security && audience.security)) return 'internal-update';
  return audience.detail === 'public' && !facts.security ? 'user-facing-update' : 'stakeholder-notification';
}

/** Whether an audience hears an event: the security contact hears everything of a security incident. */
export function hears(audience: IncidentAudience, event: AudienceEvent, security: boolean): boolean {
  return (security && audience.security) || audience.receives.includes(event);
}
