import { hasPatch } from '../release';
import { IncidentErrorType } from '../../../domain/errors';
import type { ChecklistItem, IncidentState } from '../../../domain/incident';
import { checkItemSchema, confirmBreachSchema, confirmIntegritySchema } from '../../../domain/inputs';
import { DEFAULT_DATA_LOSS_CHECKLIST, DEFAULT_SECURITY_CHECKLIST } from '../../../domain/policy/checklists';
import { severityRank, type Severity } from '../../../domain/severity';
import { plainMessage, type RenderedMessage } from '../../../domain/templates';
import { checkItemUpdate, confirmBreachUpdate, confirmIntegrityUpdate } from '../../definitions';
import { onCommand, type DeclaredIncident } from '../commands';
import type { Incident } from '../incident';
import { changeSeverity } from './respond';

/** Data-loss incidents declared since this patch tell the owners and post the preservation checklist. */
export const DATA_LOSS_PATCH = 'data-loss-v1';
/** Security incidents declared since this patch post the security checklist (runbook 004) in their channel. */
export const SECURITY_CHECKLIST_PATCH = 'security-checklist-v1';

type List = ChecklistItem['list'];
const LIST_TITLES: Record<List, string> = {
  'data-loss': 'data preservation checklist',
  security: 'security checklist',
};

/** On the declaration's timeline: data loss makes it SEV-1, whatever severity was typed. */
export function recordDataLossDeclared(incident: Incident, typed: Severity): void {
  const { state, recorder } = incident;
  const raised = typed === state.severity ? '' : ` (declared as ${typed}; data loss is SEV-1)`;
  recorder.record(
    'note',
    'system',
    `data loss or corruption declared${raised}: the incident closes only once a named person confirms data integrity`,
    { dataLoss: true },
    state.declaredAt,
  );
}

/** The special paths' part of the declaration: the data owners told, the checklists posted. */
export function announceSpecialPaths(incident: Incident): void {
  const { state, notify } = incident;
  if (state.dataLoss && hasPatch(DATA_LOSS_PATCH)) {
    const { owners } = state.dataLoss;
    postChecklist(incident, 'data-loss', 'system', owners);
    if (owners.length > 0) notify.email(owners, dataLossNotice(state));
  }
  if (state.security && hasPatch(SECURITY_CHECKLIST_PATCH)) postChecklist(incident, 'security', 'system', ['security']);
}

/**
 * The special paths' commands: tick off a checklist item, confirm data integrity (which the close of a data-loss
 * incident waits for), confirm a security breach (a security incident of at least SEV-1 from then on).
 */
export function registerChecklistHandlers(declared: DeclaredIncident): void {
  onCommand(
    declared,
    checkItemUpdate,
    'checkItem',
    checkItemSchema,
    (incident, { item, by, note }, at) => {
      const { state, recorder, notify } = incident;
      const done = openItem(incident, item);
      done.doneBy = by;
      done.doneAt = at;
      const open = (state.checklist ?? []).filter((i) => i.list === done.list && i.doneAt === undefined);
      const left = open.length === 0 ? 'every item done' : `open: ${open.map((i) => i.id).join(', ')}`;
      recorder.record(
        'checklist',
        by,
        `${LIST_TITLES[done.list]}: ${done.id} done by ${by}${note ? ` (${note})` : ''}; ${left}`,
        { list: done.list, item: done.id, open: open.length },
        at,
      );
      notify.chat(plainMessage(state, 'note', `${LIST_TITLES[done.list]}: ${done.id} done by ${by}; ${left}`));
    },
    { guard: (incident, { item }) => void openItem(incident, item) },
  );

  onCommand(
    declared,
    confirmIntegrityUpdate,
    'confirmIntegrity',
    confirmIntegritySchema,
    (incident, { by, note }, at) => {
      const { state, recorder, notify } = incident;
      if (!state.dataLoss) return;
      state.dataLoss.confirmedBy = by;
      state.dataLoss.confirmedAt = at;
      recorder.record('integrity-confirmed', by, `data integrity confirmed by ${by}${note ? `: ${note}` : ''}`, {}, at);
      notify.chat(plainMessage(state, 'note', `data integrity confirmed by ${by}${note ? `: ${note}` : ''}`));
    },
    { guard: refuseIntegrityConfirmation },
  );

  onCommand(
    declared,
    confirmBreachUpdate,
    'confirmBreach',
    confirmBreachSchema,
    async (incident, { by, reason }, at) => {
      const { state, recorder, notify } = incident;
      state.breachConfirmedAt = at;
      state.security = true;
      recorder.record('breach-confirmed', by, `security breach confirmed by ${by}: ${reason}`, {}, at);
      const confirmed = plainMessage(state, 'escalation', `Security breach confirmed by ${by}: ${reason}`);
      notify.chat(confirmed, ['security']);
      notify.email(['security'], confirmed);
      postChecklist(incident, 'security', by, ['security']);
      if (severityRank(state.severity) > severityRank('SEV-1')) {
        await changeSeverity(incident, 'SEV-1', by, 'security breach confirmed (runbook 003: at least SEV-1)', at);
      }
    },
    {
      exclusive: true,
      guard: (incident) => {
        const at = incident.state.breachConfirmedAt;
        if (at !== undefined) {
          incident.reject(
            IncidentErrorType.IllegalTransition,
            `a breach was already confirmed at ${new Date(at).toISOString()}`,
          );
        }
      },
    },
  );
}

/** Posts a list once: its items join the incident's checklist, and the channel gets them with how to tick them. */
function postChecklist(incident: Incident, list: List, by: string, mention: string[]): void {
  const { state, recorder, notify } = incident;
  if (state.checklist?.some((i) => i.list === list)) return;
  const items =
    list === 'data-loss'
      ? (state.policy.dataLoss?.checklist ?? DEFAULT_DATA_LOSS_CHECKLIST)
      : (state.policy.security?.checklist ?? DEFAULT_SECURITY_CHECKLIST);
  state.checklist = [...(state.checklist ?? []), ...items.map((i) => ({ id: i.id, list, text: i.text }))];
  recorder.record('checklist', by, `${LIST_TITLES[list]} posted: ${items.map((i) => i.id).join(', ')}`, {
    list,
    open: items.length,
  });
  const lead = `${LIST_TITLES[list]}, tick each item with: incident check ${state.id} ITEM --by <you>`;
  const message = plainMessage(state, 'note', lead);
  notify.chat(
    {
      ...message,
      text: [lead, ...items.map((i) => `[ ] ${i.id}: ${i.text}`)].join('\n'),
      fields: items.map((i) => ({ label: i.id, value: i.text })),
    },
    mention.length > 0 ? mention : undefined,
  );
}

function dataLossNotice(state: IncidentState): RenderedMessage {
  const lead = `Data loss or corruption declared in ${state.service}: preserve before you repair.`;
  const message = plainMessage(state, 'stakeholder-notification', lead);
  const steps = (state.checklist ?? []).filter((i) => i.list === 'data-loss').map((i) => `- ${i.text}`);
  const close = `The incident closes only once a named person confirms data integrity (incident confirm-integrity ${state.id} --by <name>).`;
  return { ...message, text: [lead, state.summary, ...steps, close].filter((l) => l !== '').join('\n') };
}

function openItem(incident: Incident, id: string): ChecklistItem {
  const items = incident.state.checklist ?? [];
  const found = items.find((i) => i.id === id && i.doneAt === undefined);
  if (found) return found;
  const done = items.find((i) => i.id === id);
  if (done) incident.reject(IncidentErrorType.IllegalTransition, `item: ${id} was already done by ${done.doneBy}`);
  const open = items.filter((i) => i.doneAt === undefined).map((i) => i.id);
  const known = items.length === 0 ? 'no checklist was posted in this incident' : `open: ${open.join(', ') || 'none'}`;
  return incident.reject(IncidentErrorType.InvalidInput, `item: no checklist item ${id} (${known})`);
}

function refuseIntegrityConfirmation(incident: Incident, { by }: { by: string }): void {
  const { dataLoss, id } = incident.state;
  if (!dataLoss) {
    incident.reject(IncidentErrorType.IllegalTransition, `incident ${id} was not declared with data loss`);
  }
  if (dataLoss.confirmedBy !== null) {
    incident.reject(
      IncidentErrorType.IllegalTransition,
      `data integrity was already confirmed by ${dataLoss.confirmedBy}`,
    );
  }
  const confirmers = incident.state.policy.dataLoss?.confirmers ?? [];
  if (confirmers.length > 0 && !confirmers.includes(by)) {
    incident.reject(
      IncidentErrorType.IllegalTransition,
      `by: only ${confirmers.join(', ')} may confirm data integrity (policy dataLoss.confirmers)`,
    );
  }
}
