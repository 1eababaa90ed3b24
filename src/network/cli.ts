// CLI: `city generate`, `import`, `export`. Commands that need the database open it only when no
// server holds the PGlite DATA_DIR (the lock refuses with a one-line message naming the process).
import { readFileSync, writeFileSync } from 'node:fs';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { failAndExit } from '../platform/cli.ts';
import { generateCity } from '../sim/generator.ts';
import { PRESETS, type PresetName } from '../sim/presets/index.ts';
import { withConfiguredDatabase, type Db } from '../store/index.ts';
import { toCsv } from './formats/csv.ts';
import { toGeoJson } from './formats/geojson.ts';
import { detectFormat, importNetwork, IMPORT_FORMATS, type ImportReport } from './importer.ts';
import { ImportError, listAreas, listHealth, loadAssets, writeModel } from './model-store.ts';
import { listOrganisations, listSensors } from './repository.ts';

/** A progress bar on a terminal; nothing when output goes to a file or a pipe. */
function progress(label: string): { update(done: number, total: number): void; stop(): void } {
  if (!process.stdout.isTTY) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar({ format: `${label} [{bar}] {percentage}% {value}/{total}`, hideCursor: true }, cliProgress.Presets.shades_classic);
  let started = false;
  return {
    update(done, total) {
      if (!started) (bar.start(total, 0), (started = true));
      bar.update(done);
    },
    stop: () => started && bar.stop(),
  };
}

function fail(error: unknown, json: boolean): never {
  if (error instanceof ImportError) {
    console.error(`lifeline: ${error.message}`);
    if (json) console.log(JSON.stringify({ ok: false, error: error.message }));
    process.exit(1);
  }
  failAndExit(error);
}

function printReport(report: ImportReport): void {
  const networks = Object.entries(report.counts.byNetwork).map(([n, c]) => `${n} ${c.assets} (${c.km} km)`).join(', ');
  console.log(`${report.source} (${report.format}): ${report.counts.assets} assets${networks ? ` — ${networks}` : ''}, ${report.counts.areas} areas, ${report.counts.sensors} sensors`);
  for (const r of report.rejected.slice(0, 50)) console.log(`  rejected ${report.format === 'geojson' ? 'feature' : 'line'} ${r.at}${r.id ? ` (${r.id})` : ''}: ${r.field}: ${r.reason}`);
  if (report.rejected.length > 50) console.log(`  … ${report.rejected.length - 50} more rejected`);
  const kinds = new Map<string, number>();
  for (const f of report.findings) kinds.set(f.kind, (kinds.get(f.kind) ?? 0) + 1);
  if (kinds.size) console.log(`  findings: ${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')}`);
  for (const f of report.findings.slice(0, 20)) console.log(`    ${f.kind}: ${f.message}`);
  console.log(report.written ? 'imported.' : `nothing written: ${report.error}`);
}

export function registerNetworkCommands(program: Command): void {
  const city = program.command('city').description('synthetic demo cities');
  city
    .command('generate')
    .description('generate a deterministic city (road grid, districts, blocks, zones, every lifeline, sensors) into the database or a GeoJSON file')
    .option('--preset <name>', `preset: ${Object.keys(PRESETS).join(' | ')}`, 'small')
    .option('--seed <n>', 'random seed (same seed, same city)', '1')
    .option('--out <file>', 'write GeoJSON here instead of into the database')
    .option('--json', 'print a JSON summary as the last line')
    .action(async (opts: { preset: string; seed: string; out?: string; json?: boolean }) => {
      try {
        const preset = PRESETS[opts.preset as PresetName];
        if (!preset) throw new ImportError(`--preset ${opts.preset}: use one of ${Object.keys(PRESETS).join(', ')}`);
        const seed = Number(opts.seed);
        if (!Number.isInteger(seed)) throw new ImportError(`--seed ${opts.seed}: a whole number`);
        const started = performance.now();
        const { model, summary } = generateCity(preset, seed);
        if (opts.out) {
          writeFileSync(opts.out, JSON.stringify(toGeoJson(model)));
        } else {
          const bar = progress('writing city');
          await withConfiguredDatabase((db) => writeModel(db, model, { mode: 'upsert', source: `city generate --preset ${preset.name} --seed ${seed}`, format: 'generator', rejected: 0, findings: 0, onProgress: bar.update }));
          bar.stop();
        }
        const seconds = Math.round((performance.now() - started) / 100) / 10;
        console.log(`city ${preset.name} (seed ${seed}): gas ${summary.gasKm} km, water ${summary.waterKm} km, drainage ${summary.drainageKm} km, ${summary.assets} assets, ${summary.sensors} sensors → ${opts.out ?? 'database'} in ${seconds} s`);
        if (opts.json) console.log(JSON.stringify({ ...summary, out: opts.out ?? 'database', seconds }));
      } catch (error) {
        fail(error, !!opts.json);
      }
    });

  program
    .command('import <file>')
    .description('import a network (GeoJSON, EPANET .inp, CSV with WKT): validates everything, then writes all or nothing')
    .option('--format <format>', IMPORT_FORMATS.join(' | ') + ' (default: from the extension)')
    .option('--crs <crs>', 'coordinate system of the file, e.g. EPSG:4547 (required for projected data and EPANET)')
    .option('--owner <id>', 'owner organisation for features that name none')
    .option('--mode <mode>', 'upsert | replace (replace also deletes the file\'s networks\' assets it no longer has)', 'upsert')
    .option('--skip-invalid', 'write the valid features even when some are rejected')
    .option('--json', 'print the import report as JSON on the last line')
    .action(async (file: string, opts: { format?: string; crs?: string; owner?: string; mode: string; skipInvalid?: boolean; json?: boolean }) => {
      try {
        if (opts.mode !== 'upsert' && opts.mode !== 'replace') throw new ImportError(`--mode ${opts.mode}: upsert or replace`);
        const format = detectFormat(file, opts.format);
        let text: string;
        try {
          text = readFileSync(file, 'utf8');
        } catch (error) {
          throw new ImportError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
        }
        const bar = progress('importing');
        const report = await withConfiguredDatabase((db) => importNetwork(db, {
          text, fileName: file, format, mode: opts.mode as 'upsert' | 'replace', onProgress: bar.update,
          ...(opts.crs ? { crs: opts.crs } : {}), ...(opts.owner ? { owner: opts.owner } : {}), ...(opts.skipInvalid ? { skipInvalid: true } : {}),
        }));
        bar.stop();
        printReport(report);
        if (opts.json) {
          const findings: Record<string, number> = {};
          for (const f of report.findings) findings[f.kind] = (findings[f.kind] ?? 0) + 1;
          console.log(JSON.stringify({ ok: report.written, written: report.written, format: report.format, source: report.source, counts: report.counts, rejected: report.rejected.length, rejections: report.rejected.slice(0, 100), findings, ...(report.error ? { error: report.error } : {}) }));
        }
        if (!report.written) process.exit(1);
      } catch (error) {
        fail(error, !!opts.json);
      }
    });

  program
    .command('export')
    .description('export the network model as GeoJSON (assets, areas, sensors) or CSV with WKT (assets)')
    .option('--format <format>', 'geojson | csv', 'geojson')
    .option('--out <file>', 'write here (default: standard output)')
    .action(async (opts: { format: string; out?: string }) => {
      try {
        if (opts.format !== 'geojson' && opts.format !== 'csv') throw new ImportError(`--format ${opts.format}: geojson or csv`);
        const text = await withConfiguredDatabase(async (db) => {
          const assets = await loadAssets(db);
          if (opts.format === 'csv') return toCsv(assets);
          return JSON.stringify(toGeoJson({ organisations: await listOrganisations(db), assets, areas: await listAreas(db), sensors: await listSensors(db), health: await listHealth(db) }));
        });
        if (opts.out) {
          writeFileSync(opts.out, text);
          console.error(`wrote ${opts.out}`);
        } else process.stdout.write(text);
      } catch (error) {
        fail(error, false);
      }
    });
}
