import { z } from 'zod';
import { serviceNameSchema, singleLine } from '../text';

/** One component of the public page: what readers recognise (`Checkout`), fed by the services behind it. */
const componentSchema = z.strictObject({
  name: singleLine(100),
  description: singleLine(500).optional(),
  services: z
    .array(serviceNameSchema)
    .min(1, 'name at least one service')
    .max(50)
    .refine((services) => new Set(services).size === services.length, 'a service is listed twice'),
});

/**
 * The built-in public status page (`/status`): its name, where readers reach it (links in the feed) and its
 * components. Without components, each service of the policy is a component of its own.
 */
export const statusPagePolicySchema = z.strictObject({
  name: singleLine(100).default('Service status'),
  /** The page's public address, e.g. https://status.example.com/status; by default, as the reader reached it. */
  url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  components: z
    .array(componentSchema)
    .max(100, 'at most 100 components')
    .refine(
      (components) => new Set(components.map((c) => c.name)).size === components.length,
      'two components share a name',
    )
    .default([]),
});
export type StatusPagePolicy = z.output<typeof statusPagePolicySchema>;
export type StatusPageComponent = StatusPagePolicy['components'][number];
