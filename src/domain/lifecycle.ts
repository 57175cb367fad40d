import type { IncidentState } from './incident';
import type { IncidentStatus } from './severity';

/**
 * Which command may run in which status. Validators call these before anything reaches history,
 * so an illegal transition is answered with the reason and leaves the incident as it was.
 */
export type Command =
  | 'acknowledge'
  | 'assignRole'
  | 'postStatusUpdate'
  | 'changeSeverity'
  | 'startMitigation'
  | 'finishMitigation'
  | 'resolve'
  | 'reopen'
  | 'close'
  | 'addNote'
  | 'page'
  | 'confirmIntegrity'
  | 'checkItem'
  | 'confirmBreach'
  | 'diagnose';

const OPEN: readonly IncidentStatus[] = ['declared', 'acknowledged', 'investigating', 'mitigating', 'monitoring'];

const ALLOWED: Record<Command, readonly IncidentStatus[]> = {
  acknowledge: ['declared'],
  assignRole: [...OPEN, 'resolved'],
  postStatusUpdate: OPEN,
  changeSeverity: OPEN,
  startMitigation: ['acknowledged', 'investigating', 'mitigating', 'monitoring'],
  finishMitigation: ['mitigating', 'monitoring'],
  resolve: ['acknowledged', 'investigating', 'mitigating', 'monitoring'],
  reopen: ['monitoring', 'resolved'],
  close: ['resolved'],
  addNote: [...OPEN, 'resolved'],
  page: OPEN,
  confirmIntegrity: [...OPEN, 'resolved'],
  checkItem: [...OPEN, 'resolved'],
  confirmBreach: OPEN,
  diagnose: [...OPEN, 'resolved'],
};

const HINTS: Partial<Record<Command, Partial<Record<IncidentStatus, string>>>> = {
  acknowledge: { closed: 'it is closed' },
  startMitigation: { declared: 'acknowledge it first' },
  resolve: { declared: 'acknowledge it first', resolved: 'it is already resolved' },
  close: { declared: 'resolve it first', acknowledged: 'resolve it first', investigating: 'resolve it first' },
};

/** Returns why `command` is not allowed now, or null when it is. */
export function rejectionReason(state: Pick<IncidentState, 'status' | 'id'>, command: Command): string | null {
  if (ALLOWED[command].includes(state.status)) return null;
  const hint = HINTS[command]?.[state.status];
  return `cannot ${describe(command)} incident ${state.id} while it is ${state.status}${hint ? `: ${hint}` : ''}`;
}

function describe(command: Command): string {
  return command.replace(/[A-Z]/g, (letter) => ` ${letter.toLowerCase()}`);
}

export function isOpen(status: IncidentStatus): boolean {
  return OPEN.includes(status);
}
