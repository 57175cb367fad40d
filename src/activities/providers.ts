import type { Policy } from '../domain/policy';
import type { ChatProvider } from './chat';
import type { EmailProvider } from './email';
import type { PagerProvider } from './paging';
import type { RollbackRunner } from './rollback';
import type { SmokeTester } from './smoke-tests';
import type { StatusPageProvider } from './status-page';
import type { DiagnosticsReport, DiagnosticsRequest, PostmortemReceipt, PostmortemRequest } from './types';

/** Collects the runbook's diagnostics snapshot into an artifact; only its reference comes back. */
export interface DiagnosticsCollector {
  collect(request: DiagnosticsRequest, heartbeat: () => void): Promise<DiagnosticsReport>;
}

/** Writes the postmortem document (a Markdown file, or a GitHub issue). Idempotent per incident. */
export interface PostmortemWriter {
  create(request: PostmortemRequest): Promise<PostmortemReceipt>;
}

/** Every integration the incident workflow reaches, chosen by configuration when the worker starts. */
export interface IntegrationProviders {
  policy: Policy;
  chat: ChatProvider;
  email: EmailProvider;
  statusPage: StatusPageProvider;
  pager: PagerProvider;
  smokeTests: SmokeTester;
  rollback: RollbackRunner;
  diagnostics: DiagnosticsCollector;
  postmortem: PostmortemWriter;
}
