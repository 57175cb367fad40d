import { z } from 'zod';
import { pageSchema, resolveSchema, type PageInput, type ResolveInput } from '../../domain/inputs';
import { policyKeySchema, singleLine } from '../../domain/text';
import { fieldsOf, parseWith, plain, textInput, type ModalMetadata, type Parsed } from './modals';
import type { ViewSubmission } from './payloads';

/**
 * The response phase's forms, opened by the incident's buttons: Run action (a named action of the service's
 * policy), Page (a configured target, with a reason) and Resolve (verified, or unverified by the IC with a reason).
 */
export const RUN_ACTION_CALLBACK = 'incident-run-action';
export const PAGE_CALLBACK = 'incident-page';
export const RESOLVE_CALLBACK = 'incident-resolve';

/** Block Kit: a static select holds at most 100 options (policy keys fit an option's 75 characters). */
const SELECT_OPTIONS_MAX = 100;
/** A mitigation's description holds 500 characters: `run <action>: ` and the note. */
const NOTE_MAX = 400;
const UNVERIFIED = 'unverified';

function responseModal(
  callbackId: string,
  title: string,
  submit: string,
  incidentId: string,
  metadata: ModalMetadata,
  blocks: unknown[],
) {
  return {
    type: 'modal' as const,
    callback_id: callbackId,
    title: plain(title),
    submit: plain(submit),
    close: plain('Cancel'),
    private_metadata: JSON.stringify({ ...metadata, incidentId }),
    blocks,
  };
}

const context = (text: string) => ({ type: 'context', elements: [{ type: 'plain_text', text, emoji: false }] });

function staticSelect(blockId: string, label: string, names: readonly string[], what: string) {
  const shown = names.slice(0, SELECT_OPTIONS_MAX);
  return {
    type: 'input',
    block_id: blockId,
    label: plain(label),
    element: {
      type: 'static_select',
      action_id: 'value',
      placeholder: plain(`Choose ${what}`),
      options: shown.map((name) => ({ text: plain(name), value: name })),
    },
    ...(names.length > shown.length
      ? { hint: plain(`The first ${shown.length} of ${names.length}; the CLI and the API take any of them.`) }
      : {}),
  };
}

export function runActionModal(
  incidentId: string,
  service: string,
  actions: readonly string[],
  metadata: ModalMetadata,
) {
  return responseModal(RUN_ACTION_CALLBACK, 'Run an action', 'Run', incidentId, metadata, [
    context(
      `Incident ${incidentId}, service ${service}: the action runs, the smoke checks verify it, and its undo (or the rollback) runs if either fails.`,
    ),
    staticSelect('action', 'Action', actions, 'an action of the policy'),
    textInput('note', 'Note', { maxLength: NOTE_MAX, optional: true, hint: 'Why, for the timeline.' }),
  ]);
}

export function pageModal(incidentId: string, targets: readonly string[], metadata: ModalMetadata) {
  return responseModal(PAGE_CALLBACK, 'Page someone', 'Page', incidentId, metadata, [
    context(`Incident ${incidentId}: pages the target now, by the ladder's provider (else its chat and email).`),
    staticSelect('target', 'Who', targets, 'a target of the policy'),
    textInput('reason', 'Reason', { maxLength: 500, placeholder: 'Replication lag: we need the database on-call' }),
  ]);
}

export function resolveModal(incidentId: string, metadata: ModalMetadata) {
  return responseModal(RESOLVE_CALLBACK, 'Resolve', 'Resolve', incidentId, metadata, [
    context(
      `Incident ${incidentId} is resolved once its verification (the service's smoke checks) passes. A service with no checks, or whose checks fail, is resolved only unverified, by the Incident Commander, saying why.`,
    ),
    textInput('summary', 'Resolution summary', { multiline: true, maxLength: 2000, optional: true }),
    {
      type: 'input',
      block_id: UNVERIFIED,
      optional: true,
      label: plain('Verification'),
      element: {
        type: 'checkboxes',
        action_id: 'value',
        options: [
          {
            text: plain('Resolve unverified'),
            description: plain('Incident Commander only: the service has no checks, or they fail'),
            value: UNVERIFIED,
          },
        ],
      },
    },
    textInput('reason', 'Why unverified', {
      maxLength: 500,
      optional: true,
      hint: 'Required with "Resolve unverified": it stands on the timeline and in the postmortem.',
    }),
  ]);
}

const RUN_BLOCKS = { run: 'action', note: 'note' };
const runFields = z.object({ run: policyKeySchema, note: singleLine(NOTE_MAX).optional() });

/** The action to run and the mitigation's description: `run <action>: <note>` when a note is given. */
export function parseRunActionSubmission(view: ViewSubmission['view']): Parsed<{ run: string; action?: string }> {
  const parsed = parseWith<z.input<typeof runFields>>(runFields, fieldsOf(view, RUN_BLOCKS), RUN_BLOCKS);
  if (!parsed.ok) return parsed;
  const { run, note } = parsed.input;
  return { ok: true, input: { run, ...(note === undefined ? {} : { action: `run ${run}: ${note}` }) } };
}

const PAGE_BLOCKS = { target: 'target', reason: 'reason' };
const pageFields = pageSchema.pick({ target: true, reason: true });

export function parsePageSubmission(view: ViewSubmission['view']): Parsed<Omit<PageInput, 'by'>> {
  return parseWith(pageFields, fieldsOf(view, PAGE_BLOCKS), PAGE_BLOCKS);
}

const RESOLVE_BLOCKS = { summary: 'summary', unverified: 'reason' };
const resolveFields = resolveSchema.pick({ summary: true, unverified: true });

/** The checkbox and the reason go together: checked needs a reason, a reason needs the box checked. */
export function parseResolveSubmission(
  view: ViewSubmission['view'],
): Parsed<Pick<ResolveInput, 'summary' | 'unverified'>> {
  const checked = view.state.values[UNVERIFIED]?.value?.selected_options?.some((o) => o.value === UNVERIFIED) ?? false;
  const { summary, unverified: reason } = fieldsOf(view, RESOLVE_BLOCKS);
  if (checked && reason === undefined) return { ok: false, errors: { reason: 'say why it is resolved unverified' } };
  if (!checked && reason !== undefined) {
    return { ok: false, errors: { [UNVERIFIED]: 'check "Resolve unverified", or leave the reason empty' } };
  }
  const raw = {
    ...(summary === undefined ? {} : { summary }),
    ...(reason === undefined ? {} : { unverified: reason }),
  };
  return parseWith(resolveFields, raw, RESOLVE_BLOCKS);
}
