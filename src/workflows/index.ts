export { incidentWorkflow } from './incident/workflow';
export { postmortemWorkflow } from './postmortem/workflow';
