/** Failure types the workflow raises; clients map them to exit codes and HTTP statuses. */
export enum IncidentErrorType {
  InvalidInput = 'InvalidInput',
  IllegalTransition = 'IllegalTransition',
  UnknownMitigation = 'UnknownMitigation',
  VerificationInProgress = 'VerificationInProgress',
  AlreadyDeclared = 'AlreadyDeclared',
  /** The policy's roles rules do not let this person run this command (policy-roles.ts). */
  NotPermitted = 'NotPermitted',
}
