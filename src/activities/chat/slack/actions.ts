/**
 * The buttons an incident's Slack messages carry, and how the HTTP API reads a click back. One module for both
 * sides, so an action id the provider posts is always one the API understands. Each action id carries the incident
 * id (`incident-ack:20250314-k3f9`): a click needs no lookup to know which incident it is about.
 */
export const INCIDENT_ACTIONS = [
  'ack',
  'take-command',
  'post-update',
  'diagnose',
  'run-action',
  'rollback',
  'page',
  'resolve',
] as const;
export type IncidentAction = (typeof INCIDENT_ACTIONS)[number];

const LABELS: Record<IncidentAction, string> = {
  ack: 'Acknowledge',
  'take-command': 'Take command',
  'post-update': 'Post update',
  diagnose: 'Run diagnostics',
  'run-action': 'Run action',
  rollback: 'Rollback',
  page: 'Page',
  resolve: 'Resolve',
};

interface PlainText {
  type: 'plain_text';
  text: string;
}

/** Block Kit's button element (text at most 75 characters, action_id 255, value 2000). */
export interface ButtonElement {
  type: 'button';
  text: PlainText;
  action_id: string;
  value: string;
  style?: 'primary' | 'danger';
  confirm?: { title: PlainText; text: PlainText; confirm: PlainText; deny: PlainText };
}

export interface ActionsBlock {
  type: 'actions';
  block_id: string;
  elements: ButtonElement[];
}

export function incidentActionId(action: IncidentAction, incidentId: string): string {
  return `incident-${action}:${incidentId}`;
}

/** The action and incident a click names, or undefined for an action id this app never posted. */
export function parseIncidentActionId(actionId: string): { action: IncidentAction; incidentId: string } | undefined {
  const match = /^incident-([a-z-]+):([a-z0-9][a-z0-9-]{1,62})$/.exec(actionId);
  const action = INCIDENT_ACTIONS.find((known) => known === match?.[1]);
  return action && match?.[2] ? { action, incidentId: match[2] } : undefined;
}

/**
 * Acknowledge, Take command, Post update, Run diagnostics, Run action, Rollback, Page and Resolve, for the
 * declaration and the pinned summary. Run action, Page and Resolve open a form; Rollback asks for confirmation.
 */
export function incidentActionsBlock(incidentId: string): ActionsBlock {
  const button = (action: IncidentAction): ButtonElement => ({
    type: 'button',
    text: { type: 'plain_text', text: LABELS[action] },
    action_id: incidentActionId(action, incidentId),
    value: incidentId,
  });
  return {
    type: 'actions',
    block_id: `incident-actions-${incidentId}`,
    elements: [
      { ...button('ack'), style: 'primary' },
      button('take-command'),
      button('post-update'),
      button('diagnose'),
      button('run-action'),
      {
        ...button('rollback'),
        style: 'danger',
        // A rollback changes production at once: worth one more click.
        confirm: {
          title: { type: 'plain_text', text: 'Roll back now?' },
          text: {
            type: 'plain_text',
            text: `Runs the service's rollback for incident ${incidentId}, then its smoke checks.`,
          },
          confirm: { type: 'plain_text', text: 'Roll back' },
          deny: { type: 'plain_text', text: 'Cancel' },
        },
      },
      button('page'),
      button('resolve'),
    ],
  };
}

/**
 * A postmortem's action item, marked done from Slack: `action-item-done:20250314-k3f9:a2`. Its own prefix, so the
 * incident buttons' parser never mistakes one for the other.
 */
export function actionItemDoneId(incidentId: string, itemId: string): string {
  return `action-item-done:${incidentId}:${itemId}`;
}

export function parseActionItemDoneId(actionId: string): { incidentId: string; itemId: string } | undefined {
  const match = /^action-item-done:([a-z0-9][a-z0-9-]{1,62}):(a\d{1,4})$/.exec(actionId);
  return match?.[1] && match[2] ? { incidentId: match[1], itemId: match[2] } : undefined;
}

/** The "Mark done" button of one open action item, under its line in a list or a reminder. */
export function actionItemDoneButton(incidentId: string, itemId: string): ButtonElement {
  return {
    type: 'button',
    text: { type: 'plain_text', text: `Mark ${itemId} done` },
    action_id: actionItemDoneId(incidentId, itemId),
    value: itemId,
    style: 'primary',
  };
}

/** A reminder about an open action item carries its Mark done button. */
export function actionItemActionsBlock(incidentId: string, itemId: string): ActionsBlock {
  return {
    type: 'actions',
    block_id: `action-item-${incidentId}-${itemId}`,
    elements: [actionItemDoneButton(incidentId, itemId)],
  };
}
