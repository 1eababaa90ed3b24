// CLI: `sla show` prints the SLA table in force; `sla set <file.json>` saves a file as the next
// version (the same shape and checks as PUT /api/incidents/sla), so the table can live in a
// configuration file under version control. Incidents already open keep their version. With
// PGlite the server must be stopped (the DATA_DIR lock says so); on PostgreSQL it may run.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ZodError } from 'zod';
import { failAndExit } from '../platform/cli.ts';
import { withConfiguredDatabase } from '../store/index.ts';
import { currentSlaVersion, listSlaVersions, saveSlaVersion, slaTableSchema } from './sla.ts';

export function registerSlaCommands(program: Command): void {
  const sla = program.command('sla').description('deadlines per incident type, level and stage: show, set from a JSON file (server stopped, or DATABASE_URL)');

  sla
    .command('show')
    .description('print the SLA table in force as JSON (the shape `sla set` reads), and the versions')
    .option('--json', 'print a JSON object as the last line')
    .action((opts: { json?: boolean }) => withConfiguredDatabase(async (db) => {
      const current = await currentSlaVersion(db);
      const versions = await listSlaVersions(db);
      for (const v of versions) console.error(`version ${v.version}  ${v.createdAt}  ${v.createdBy}${v.note ? `  ${v.note}` : ''}`);
      console.log(JSON.stringify(opts.json ? { version: current.version, table: current.table } : current.table, null, opts.json ? 0 : 2));
    }).catch(failAndExit));

  sla
    .command('set <file>')
    .description('save the table in <file> (JSON: { levels, types }) as the next version; new incidents run on it')
    .option('--note <text>', 'why the table changed')
    .option('--by <name>', 'who changed it', process.env.USER ?? 'cli')
    .option('--json', 'print a JSON object as the last line')
    .action((file: string, opts: { note?: string; by: string; json?: boolean }) => withConfiguredDatabase(async (db) => {
      let table: unknown;
      try {
        table = slaTableSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
      } catch (error) {
        const reason = error instanceof ZodError ? error.issues.map((i) => `${i.path.join('.') || 'file'}: ${i.message}`).join('; ') : (error as Error).message;
        console.error(`lifeline: ${file}: ${reason}`);
        process.exit(1);
      }
      const saved = await saveSlaVersion(db, table as Parameters<typeof saveSlaVersion>[1], opts.by, opts.note ?? null, new Date());
      console.log(`SLA version ${saved.version} saved; incidents opened from now on run on it`);
      if (opts.json) console.log(JSON.stringify({ version: saved.version }));
    }).catch(failAndExit));
}
