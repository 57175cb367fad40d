import type { IncidentService } from '../client/service';
import type { Policy } from '../domain/policy';
import type { TokenRegistry } from './plugins/auth';
import type { StatusBoard } from './status/board';
import type { SlackDeps } from './slack/deps';

/** What the HTTP app is built from; tests build it with loopback endpoints and their own tokens. */
export interface ApiDeps {
  incidents: IncidentService;
  policy: Policy;
  tokens: TokenRegistry;
  /** Requests per minute per token (per address for routes without one). */
  rateLimitPerMinute: number;
  /** Request bodies past this many bytes are refused with 413. */
  bodyLimitBytes?: number;
  /** Fastify's logger: false in tests, pino at the given level in the server. */
  logger?: boolean | { level: string };
  /** The Slack app's routes (/slack/*); without a signing secret they answer 503. */
  slack?: SlackDeps;
  /** The public status page's shared snapshot of the incidents; built from `incidents` when absent. */
  statusBoard?: StatusBoard;
}
