import { IncidentClientErrorType } from '../client/errors';

/**
 * Every error the API answers is an RFC 9457 problem: `type` a stable code clients branch on, `detail` a message
 * for a person, `errors` one entry per bad field. Nothing else (no stack, no internals) leaves the server.
 */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldIssue[];
  /** For an incident that refused a command: the workflow's reason (IllegalTransition, Closed, …). */
  reason?: string;
}

export interface FieldIssue {
  path: string;
  message: string;
}

/** A failure the route already understands, with the status it answers. */
export class ApiError extends Error {
  override name = 'ApiError';

  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly extra: Pick<Problem, 'errors' | 'reason'> & { headers?: Record<string, string> } = {},
  ) {
    super(message);
  }
}

export const STATUS_FOR_CLIENT_ERROR: Record<IncidentClientErrorType, { status: number; type: string }> = {
  [IncidentClientErrorType.InvalidInput]: { status: 400, type: 'invalid-input' },
  [IncidentClientErrorType.NotFound]: { status: 404, type: 'not-found' },
  [IncidentClientErrorType.Rejected]: { status: 409, type: 'rejected' },
  [IncidentClientErrorType.Unavailable]: { status: 503, type: 'unavailable' },
  [IncidentClientErrorType.Internal]: { status: 500, type: 'internal' },
};

export const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};
