import type { Command } from 'commander';
import { ConfigError } from '../config/index.ts';
import { startPlatform } from './index.ts';

/** Prints a configuration error as the one line the operator needs, anything else in full; exits 1. */
export function failAndExit(error: unknown): never {
  console.error(error instanceof ConfigError ? `lifeline: ${error.message}` : `lifeline: failed: ${String((error as Error)?.stack ?? error)}`);
  process.exit(1);
}

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('run the platform: database, MQTT broker, HTTP API and web app, demo city with simulated sensors (configured by environment, see README)')
    .option('--no-simulate', 'do not run the simulated sensors')
    .action(async (opts: { simulate: boolean }) => {
      try {
        const platform = await startPlatform(opts.simulate ? {} : { simulate: false });
        console.log(`Lifeline is running at ${platform.url}  (devices publish to ${platform.mqttUrl}, topic ${platform.topicPrefix}/devices/<id>/up)`);
        let stopping = false;
        const shutdown = () => {
          if (stopping) return;
          stopping = true;
          platform.logger.info('stopping…');
          void platform.stop().then(() => process.exit(0));
        };
        process.on('SIGINT', shutdown);
        process.on('SIGTERM', shutdown);
      } catch (error) {
        failAndExit(error);
      }
    });
}
