export { incidentWorkflow } from './incident/workflow';
export { postmortemWorkflow } from './postmortem/workflow';
export { drillWorkflow } from './drill/workflow';
