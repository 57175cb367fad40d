import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Custom search attributes the Web UI and `temporal workflow list --query` filter incidents by. */
export const INCIDENT_SEARCH_ATTRIBUTES = [
  'IncidentSeverity',
  'IncidentStatus',
  'IncidentService',
  'IncidentDrill',
] as const;

export const incidentSeverityKey = defineSearchAttributeKey('IncidentSeverity', SearchAttributeType.KEYWORD);
export const incidentStatusKey = defineSearchAttributeKey('IncidentStatus', SearchAttributeType.KEYWORD);
export const incidentServiceKey = defineSearchAttributeKey('IncidentService', SearchAttributeType.KEYWORD);
/** `true` or `false`: a Keyword like the others, so every server version and the compose setup register it alike. */
export const incidentDrillKey = defineSearchAttributeKey('IncidentDrill', SearchAttributeType.KEYWORD);
