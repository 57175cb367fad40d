import { z } from 'zod';
import type { StatusPageComponent, StatusPagePolicy } from '../../domain/policy/status-page';
import { severityRank, type Severity } from '../../domain/severity';
import { COMPONENT_STATUS } from '../../activities/status-page/atlassian-statuspage';
import type { StatusSnapshot } from './board';
import type { PublicIncident } from './public-incident';

/**
 * The page in the shape of Atlassian Statuspage's public status API (v2: summary.json, status.json,
 * components.json, incidents.json), so widgets and status aggregators that read a Statuspage read this one
 * unchanged. Fields this page has no use for (tweets, groups, maintenance) are present with their empty values.
 */

const componentStatusSchema = z.enum(['operational', 'degraded_performance', 'partial_outage', 'major_outage']);
type ComponentStatus = z.infer<typeof componentStatusSchema>;
const impactSchema = z.enum(['none', 'minor', 'major', 'critical']);
type Impact = z.infer<typeof impactSchema>;
const isoTime = z.string().describe('ISO 8601');

export const pageSchema = z.object({
  id: z.string(),
  name: z.string(),
  url: z.string(),
  time_zone: z.string(),
  updated_at: isoTime,
});

export const componentSchema = z.object({
  id: z.string(),
  name: z.string(),
  status: componentStatusSchema,
  created_at: isoTime,
  updated_at: isoTime,
  position: z.number().int(),
  description: z.string().nullable(),
  showcase: z.boolean(),
  start_date: z.string().nullable(),
  group_id: z.string().nullable(),
  page_id: z.string(),
  group: z.boolean(),
  only_show_if_degraded: z.boolean(),
});

const incidentStatusSchema = z.enum(['investigating', 'identified', 'monitoring', 'resolved', 'postmortem']);

export const incidentUpdateSchema = z.object({
  id: z.string(),
  status: incidentStatusSchema,
  body: z.string(),
  incident_id: z.string(),
  created_at: isoTime,
  updated_at: isoTime,
  display_at: isoTime,
  affected_components: z.array(z.object({ code: z.string(), name: z.string(), new_status: componentStatusSchema })),
  deliver_notifications: z.boolean(),
  custom_tweet: z.string().nullable(),
  tweet_id: z.string().nullable(),
});

export const incidentSchema = z.object({
  id: z.string(),
  name: z.string(),
  status: incidentStatusSchema,
  created_at: isoTime,
  updated_at: isoTime,
  monitoring_at: isoTime.nullable(),
  resolved_at: isoTime.nullable(),
  impact: impactSchema,
  shortlink: z.string(),
  started_at: isoTime,
  page_id: z.string(),
  incident_updates: z.array(incidentUpdateSchema).describe('newest first'),
  components: z.array(componentSchema),
});

export const statusSchema = z.object({ indicator: impactSchema, description: z.string() });

export const summarySchema = z.object({
  page: pageSchema,
  components: z.array(componentSchema),
  incidents: z.array(incidentSchema).describe('unresolved incidents'),
  scheduled_maintenances: z.array(z.never()),
  status: statusSchema,
});
export const statusDocumentSchema = z.object({ page: pageSchema, status: statusSchema });
export const componentsDocumentSchema = z.object({ page: pageSchema, components: z.array(componentSchema) });
export const incidentsDocumentSchema = z.object({
  page: pageSchema,
  incidents: z.array(incidentSchema).describe('the last 50 incidents, unresolved and resolved, newest first'),
});

export type SummaryDocument = z.infer<typeof summarySchema>;
export type IncidentDocument = z.infer<typeof incidentSchema>;
export type ComponentDocument = z.infer<typeof componentSchema>;

const IMPACT: Record<Severity, Impact> = { 'SEV-1': 'critical', 'SEV-2': 'major', 'SEV-3': 'minor', 'SEV-4': 'minor' };
const INDICATOR_TEXT: Record<Impact, string> = {
  none: 'All Systems Operational',
  minor: 'Minor Service Outage',
  major: 'Partial System Outage',
  critical: 'Major Service Outage',
};
export const COMPONENT_STATUS_TEXT: Record<ComponentStatus, string> = {
  operational: 'Operational',
  degraded_performance: 'Degraded performance',
  partial_outage: 'Partial outage',
  major_outage: 'Major outage',
};
const INCIDENTS_LISTED = 50;

const iso = (at: number) => new Date(at).toISOString();
const slug = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '') || 'component';

/** Everything the documents and the HTML page are drawn from: one snapshot, its components' state, the page. */
export interface StatusView {
  page: z.infer<typeof pageSchema>;
  components: ComponentDocument[];
  status: z.infer<typeof statusSchema>;
  open: PublicIncident[];
  resolved: PublicIncident[];
  /** Each incident's components (by component id), for the incident documents. */
  componentsOf(incident: PublicIncident): ComponentDocument[];
}

/** The policy's components, or, without any, one per service of the policy. */
export function pageComponents(policy: StatusPagePolicy, services: readonly string[]): StatusPageComponent[] {
  if (policy.components.length > 0) return policy.components;
  return [...services].sort().map((service) => ({ name: service, services: [service] }));
}

export function statusView(
  snapshot: StatusSnapshot,
  options: { policy: StatusPagePolicy; services: readonly string[]; url: string; createdAt: number },
): StatusView {
  const pageId = slug(options.policy.name);
  const open = snapshot.incidents.filter((incident) => incident.open);
  const resolved = snapshot.incidents.filter((incident) => !incident.open);
  const components = pageComponents(options.policy, options.services).map((component, position) => {
    const affecting = open.filter((incident) => component.services.includes(incident.service));
    const worst = affecting.map((incident) => incident.severity).sort((a, b) => severityRank(a) - severityRank(b))[0];
    const touched = snapshot.incidents.filter((incident) => component.services.includes(incident.service));
    return {
      id: slug(component.name),
      name: component.name,
      status: worst === undefined ? ('operational' as const) : COMPONENT_STATUS[worst],
      created_at: iso(options.createdAt),
      updated_at: iso(Math.max(options.createdAt, ...touched.map((incident) => incident.updatedAt))),
      position: position + 1,
      description: component.description ?? null,
      showcase: true,
      start_date: null,
      group_id: null,
      page_id: pageId,
      group: false,
      only_show_if_degraded: false,
      services: component.services,
    };
  });
  const worstImpact = open
    .map((incident) => IMPACT[incident.severity])
    .sort((a, b) => impactSchema.options.indexOf(b) - impactSchema.options.indexOf(a))[0];
  const indicator = worstImpact ?? 'none';
  return {
    page: {
      id: pageId,
      name: options.policy.name,
      url: options.url,
      time_zone: 'Etc/UTC',
      updated_at: iso(snapshot.updatedAt),
    },
    components: components.map(({ services: _services, ...component }) => component),
    status: { indicator, description: INDICATOR_TEXT[indicator] },
    open,
    resolved,
    componentsOf: (incident) =>
      components
        .filter((component) => component.services.includes(incident.service))
        .map(({ services: _services, ...component }) => component),
  };
}

export function incidentDocument(view: StatusView, incident: PublicIncident): IncidentDocument {
  const components = view.componentsOf(incident);
  const affected = components.map((component) => ({
    code: component.id,
    name: component.name,
    new_status: incident.open ? COMPONENT_STATUS[incident.severity] : ('operational' as const),
  }));
  const monitoring = incident.updates.filter((update) => update.phase === 'monitoring').at(-1);
  return {
    id: incident.id,
    name: incident.name,
    status: incident.phase,
    created_at: iso(incident.declaredAt),
    updated_at: iso(incident.updatedAt),
    monitoring_at: monitoring ? iso(monitoring.at) : null,
    resolved_at: incident.resolvedAt === null ? null : iso(incident.resolvedAt),
    impact: IMPACT[incident.severity],
    shortlink: `${view.page.url}#incident-${incident.id}`,
    started_at: iso(incident.declaredAt),
    page_id: view.page.id,
    incident_updates: incident.updates.map((update, index) => ({
      id: `${incident.id}-${incident.updates.length - index}`,
      status: update.phase,
      body: update.message,
      incident_id: incident.id,
      created_at: iso(update.at),
      updated_at: iso(update.at),
      display_at: iso(update.at),
      affected_components: affected,
      deliver_notifications: true,
      custom_tweet: null,
      tweet_id: null,
    })),
    components,
  };
}

export function summaryDocument(view: StatusView): SummaryDocument {
  return {
    page: view.page,
    components: view.components,
    incidents: view.open.map((incident) => incidentDocument(view, incident)),
    scheduled_maintenances: [],
    status: view.status,
  };
}

export function incidentsDocument(view: StatusView): z.infer<typeof incidentsDocumentSchema> {
  return {
    page: view.page,
    incidents: [...view.open, ...view.resolved]
      .slice(0, INCIDENTS_LISTED)
      .map((incident) => incidentDocument(view, incident)),
  };
}
