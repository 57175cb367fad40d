import {
  ApplicationFailure,
  isGrpcDeadlineError,
  isGrpcServiceError,
  QueryNotRegisteredError,
  ServiceError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import { IncidentErrorType } from '../domain/errors';

/** What went wrong, as every client (CLI exit codes, HTTP statuses) needs to tell it apart. */
export enum IncidentClientErrorType {
  /** The input failed validation; nothing was sent. */
  InvalidInput = 'InvalidInput',
  /** No incident with that id. */
  NotFound = 'NotFound',
  /** The incident refused the command (illegal transition, unknown mitigation, closed, already exists). */
  Rejected = 'Rejected',
  /** Temporal or the incident worker did not answer. */
  Unavailable = 'Unavailable',
  Internal = 'Internal',
}

export const EXIT_CODES: Record<IncidentClientErrorType, number> = {
  [IncidentClientErrorType.Internal]: 1,
  [IncidentClientErrorType.Unavailable]: 1,
  [IncidentClientErrorType.InvalidInput]: 2,
  [IncidentClientErrorType.NotFound]: 3,
  [IncidentClientErrorType.Rejected]: 4,
};

export class IncidentClientError extends Error {
  override name = 'IncidentClientError';

  /** For rejections, why: the workflow's failure type (IllegalTransition, UnknownMitigation, …), Closed, AlreadyExists. */
  readonly reason: string | undefined;
  /** For a command that may still apply, the request id to retry it with (applied at most once). */
  readonly requestId: string | undefined;

  constructor(
    readonly type: IncidentClientErrorType,
    message: string,
    options: { reason?: string | undefined; cause?: unknown; requestId?: string } = {},
  ) {
    super(message, { cause: options.cause });
    this.reason = options.reason;
    this.requestId = options.requestId;
  }
}

const REJECTIONS: ReadonlySet<string> = new Set([
  IncidentErrorType.IllegalTransition,
  IncidentErrorType.UnknownMitigation,
  IncidentErrorType.VerificationInProgress,
  IncidentErrorType.AlreadyDeclared,
  IncidentErrorType.NotPermitted,
]);

/** Translates whatever the Temporal client threw into one of the types above, with a message for a person. */
export function toIncidentClientError(error: unknown, incidentId?: string): IncidentClientError {
  if (error instanceof IncidentClientError) return error;
  const about = incidentId === undefined ? '' : ` ${incidentId}`;
  const as = (type: IncidentClientErrorType, message: string, reason?: string) =>
    new IncidentClientError(type, message, { reason, cause: error });

  if (error instanceof WorkflowNotFoundError) return as(IncidentClientErrorType.NotFound, `no incident${about}`);
  if (error instanceof WorkflowExecutionAlreadyStartedError) {
    return as(IncidentClientErrorType.Rejected, `incident${about} already exists`, 'AlreadyExists');
  }
  if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
    const { type, message } = error.cause;
    if (type === IncidentErrorType.InvalidInput) return as(IncidentClientErrorType.InvalidInput, message, type);
    if (type && REJECTIONS.has(type)) return as(IncidentClientErrorType.Rejected, message, type);
    return as(IncidentClientErrorType.Internal, `incident${about} failed the command: ${message}`, type ?? undefined);
  }
  if (error instanceof QueryNotRegisteredError) {
    return as(IncidentClientErrorType.Unavailable, `incident${about} is not answering yet (still being declared?)`);
  }
  if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError || isGrpcDeadlineError(error)) {
    return as(
      IncidentClientErrorType.Unavailable,
      `incident${about} did not answer in time: is the incident worker running?`,
    );
  }
  if (error instanceof ServiceError || isGrpcServiceError(error)) {
    return as(IncidentClientErrorType.Unavailable, `Temporal: ${detail(error)}`);
  }
  return as(IncidentClientErrorType.Internal, error instanceof Error ? error.message : String(error));
}

/** gRPC errors carry the useful text in `details`; the SDK's wrapper only says which call failed. */
function detail(error: unknown): string {
  const inner = error instanceof ServiceError && error.cause ? error.cause : error;
  if (isGrpcServiceError(inner) && inner.details) return inner.details;
  return error instanceof Error ? error.message : String(error);
}
