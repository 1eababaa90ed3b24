// CLI: `water-class`: the GB 3838-2002 class of one sample, by the function stations use.
import type { Command } from 'commander';
import { classify, type WaterSample } from './water-quality.ts';

const PARAMETERS = ['cod', 'nh3n', 'tp', 'do', 'tn', 'codmn', 'bod5', 'ph'] as const;

/** The contract's spelling of the classes: "worse than V" for 劣V. */
export function waterClassResult(sample: WaterSample, waterbody: 'river' | 'lake'): { class: string | null; limiting: string[]; notes: string[] } {
  const result = classify(sample, { waterbody });
  return { class: result.class === '劣V' ? 'worse than V' : result.class, limiting: result.limiting, notes: result.notes };
}

export function registerDrainageCommands(program: Command): void {
  const command = program
    .command('water-class')
    .description('GB 3838-2002 surface-water class of one sample (mg/L); the worst parameter decides, a value equal to a limit meets it (see docs/water-quality.md)')
    .option('--waterbody <kind>', 'river, or lake (lakes and reservoirs: own TP limits, TN counts)', 'river');
  for (const p of PARAMETERS) command.option(`--${p} <value>`, `${p === 'ph' ? 'pH' : `${p} (mg/L)`}; not given = not assessed`);
  command
    .option('--json', 'print a JSON object as the last line')
    .action((opts: Record<string, string | boolean | undefined>) => {
      const waterbody = opts.waterbody;
      if (waterbody !== 'river' && waterbody !== 'lake') {
        console.error(`lifeline: --waterbody ${String(waterbody)}: expected river or lake`);
        process.exit(1);
      }
      const sample: WaterSample = {};
      for (const p of PARAMETERS) {
        const raw = opts[p];
        if (raw === undefined) continue;
        const value = Number(raw);
        if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(value)) {
          console.error(`lifeline: --${p} ${String(raw)}: not a number`);
          process.exit(1);
        }
        sample[p] = value;
      }
      const result = waterClassResult(sample, waterbody);
      for (const note of result.notes) console.error(`note: ${note}`);
      if (opts.json) console.log(JSON.stringify({ class: result.class, limiting: result.limiting }));
      else console.log(`class ${result.class ?? '(nothing assessed)'}${result.limiting.length ? `, set by ${result.limiting.join(', ')}` : ''}`);
    });
}
