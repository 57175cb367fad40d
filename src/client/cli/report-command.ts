import type { Command } from 'commander';
import { formatReport, incidentReport, reportQuerySchema } from '../report';
import { checkInput, normalizeSeverity } from './input';
import type { CliSession } from './session';

/** `incident report`: MTTA, MTTM and MTTR (median, p90), counts by severity, escalations, missed updates. */
export function registerReportCommand(program: Command, session: CliSession): void {
  program
    .command('report')
    .description('how the team responded: MTTA, MTTM, MTTR (median, p90), escalations, missed updates; drills excluded')
    .option('--since <duration>', 'incidents declared within this long (e.g. 30d, 12h)', '30d')
    .option('--severity <SEV-n>', 'only this severity')
    .option('--service <name>', 'only this service')
    .action(async (opts: { since: string; severity?: string; service?: string }) => {
      const input = {
        since: opts.since,
        ...(opts.severity === undefined ? {} : { severity: normalizeSeverity(opts.severity) }),
        ...(opts.service === undefined ? {} : { service: opts.service }),
      };
      checkInput(reportQuerySchema, input, { since: '--since', severity: '--severity', service: '--service' });
      const report = await incidentReport(await session.incidents(), reportQuerySchema.parse(input));
      session.emit(formatReport(report), report);
    });
}
