// CLI: `inspections import FILE`: an inspection software export (CSV) into a campaign, all rows
// or none, with a per-row report (line, field, reason).
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { withConfiguredDatabase } from '../../store/index.ts';
import { importInspections, type InspectionImportReport } from './import.ts';
import { INSPECTION_METHODS, InspectionError, type InspectionMethod } from './types.ts';

function printReport(report: InspectionImportReport): void {
  const { rows, inspections, defects } = report.counts;
  console.log(`${report.source}: ${rows} rows, ${inspections} segment inspections, ${defects} defects → campaign ${report.campaignId}`);
  for (const r of report.rejected.slice(0, 100)) console.log(`  rejected line ${r.line}${r.segmentId ? ` (${r.segmentId})` : ''}: ${r.field}: ${r.reason}`);
  if (report.rejected.length > 100) console.log(`  … and ${report.rejected.length - 100} more`);
  console.log(report.written ? `written: ${inspections} inspections` : `nothing written: ${report.error}`);
}

export function registerInspectionCommands(program: Command): void {
  const inspections = program.command('inspections').description('drainage inspections graded by CJJ 181-2012 (see docs/inspections.md)');
  inspections
    .command('import <file>')
    .description('import an inspection export (CSV or .xlsx, one defect per row); any rejected row and nothing is written')
    .requiredOption('--campaign <id>', 'the campaign the inspections belong to')
    .option('--name <name>', 'create the campaign with this name when it does not exist')
    .option('--method <method>', `the campaign's method when creating it: ${INSPECTION_METHODS.join(', ')}`)
    .option('--area <areaId>', "the campaign's area when creating it")
    .option('--json', 'print the report as a JSON object on the last line')
    .action(async (file: string, opts: { campaign: string; name?: string; method?: string; area?: string; json?: boolean }) => {
      const json = Boolean(opts.json);
      const stop = (message: string): never => {
        console.error(`lifeline: ${message}`);
        if (json) console.log(JSON.stringify({ written: false, error: message }));
        process.exit(1);
      };
      if (opts.method && !(INSPECTION_METHODS as readonly string[]).includes(opts.method)) stop(`--method ${opts.method}: use one of ${INSPECTION_METHODS.join(', ')}`);
      if (opts.name && !opts.method) stop('--name creates a campaign: give its --method too');
      let bytes = Buffer.alloc(0);
      try {
        bytes = readFileSync(file);
      } catch (error) {
        stop(`cannot read ${file}: ${(error as Error).message}`);
      }
      // An Excel workbook by its extension; anything else is read as CSV (UTF-8).
      const source = /\.xlsx$/i.test(file) ? { xlsx: new Uint8Array(bytes) } : { text: bytes.toString('utf8') };
      try {
        const report = await withConfiguredDatabase((db) => importInspections(db, {
          ...source, fileName: file, campaignId: opts.campaign,
          ...(opts.name ? { newCampaign: { name: opts.name, method: opts.method as InspectionMethod, areaId: opts.area ?? null } } : {}),
        }));
        if (json) console.log(JSON.stringify(report));
        else printReport(report);
        if (!report.written) process.exitCode = 1;
      } catch (error) {
        if (error instanceof InspectionError) stop(error.message);
        throw error;
      }
    });
}
