import { z } from 'zod';

/**
 * What Slack sends, as far as this app reads it (docs.slack.dev: slash commands, block_actions, view_submission).
 * Unknown fields are accepted: Slack adds fields over time. Only what a signed request carries is parsed here.
 */
const userId = z.string().regex(/^[UW][A-Z0-9]{2,20}$/, 'is a Slack user id');
const slackId = z.string().regex(/^[A-Z0-9]{2,30}$/, 'is a Slack id');
const triggerId = z.string().min(1).max(200);

export const slashCommandSchema = z.object({
  command: z.string().max(100),
  text: z.string().max(4000).default(''),
  team_id: slackId,
  channel_id: slackId.optional(),
  user_id: userId,
  response_url: z.string().max(2000).optional(),
  trigger_id: triggerId,
});
export type SlashCommand = z.output<typeof slashCommandSchema>;

const user = z.object({ id: userId });
const team = z.object({ id: slackId }).nullable().optional();

const blockActionsSchema = z.object({
  type: z.literal('block_actions'),
  user,
  team,
  trigger_id: triggerId,
  response_url: z.string().max(2000).optional(),
  channel: z.object({ id: slackId }).optional(),
  container: z.object({ channel_id: slackId.optional() }).optional(),
  actions: z
    .array(
      z.object({
        action_id: z.string().max(255),
        action_ts: z.string().max(100).optional(),
        value: z.string().max(2000).optional(),
      }),
    )
    .min(1),
});
export type BlockActions = z.output<typeof blockActionsSchema>;

/**
 * A modal's inputs: `values[block_id][action_id]`, holding `value` (text), `selected_option` (a select) or
 * `selected_options` (checkboxes; an option's value holds at most 150 characters).
 */
const stateValuesSchema = z.record(
  z.string(),
  z.record(
    z.string(),
    z.object({
      value: z.string().nullable().optional(),
      selected_option: z.object({ value: z.string() }).nullable().optional(),
      selected_options: z
        .array(z.object({ value: z.string().max(150) }))
        .max(10)
        .nullable()
        .optional(),
    }),
  ),
);

const viewSubmissionSchema = z.object({
  type: z.literal('view_submission'),
  user,
  team,
  trigger_id: triggerId.optional(),
  view: z.object({
    id: z.string().min(1).max(100),
    callback_id: z.string().max(255),
    private_metadata: z.string().max(3000).default(''),
    state: z.object({ values: stateValuesSchema }).default({ values: {} }),
  }),
});
export type ViewSubmission = z.output<typeof viewSubmissionSchema>;

/** Interactions this app acts on; anything else (view_closed, shortcuts) is answered 200 and ignored. */
export const interactionSchema = z.discriminatedUnion('type', [blockActionsSchema, viewSubmissionSchema]);
export type Interaction = z.output<typeof interactionSchema>;
