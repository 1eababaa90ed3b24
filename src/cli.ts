import { Command } from 'commander';
import { registerAnalysisCommands } from './analysis/cli.ts';
import { registerBenchCommands } from '../bench/cli.ts';
import { registerAuthCommands } from './auth/cli.ts';
import { registerDetectCommands } from './detect/cli.ts';
import { registerDrainageCommands } from './drainage/cli.ts';
import { registerInspectionCommands } from './drainage/inspections/cli.ts';
import { registerSlaCommands } from './incidents/sla-cli.ts';
import { registerIngestCommands } from './ingest/cli.ts';
import { registerNetworkCommands } from './network/cli.ts';
import { registerStartCommand } from './platform/cli.ts';

// Each module that offers commands registers them here; `npx lifeline --help` lists them all.
const program = new Command()
  .name('lifeline')
  .description('Lifeline: city lifeline safety monitoring (gas, water, drainage) and city operations')
  .showHelpAfterError();

registerStartCommand(program);
registerAuthCommands(program);
registerSlaCommands(program);
registerBenchCommands(program);
registerNetworkCommands(program);
registerIngestCommands(program);
registerDetectCommands(program);
registerDrainageCommands(program);
registerInspectionCommands(program);
registerAnalysisCommands(program);

await program.parseAsync(process.argv);
