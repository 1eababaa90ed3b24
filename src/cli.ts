import { Command } from 'commander';
import { ConfigError, startPlatform } from './platform/index.ts';

const program = new Command()
  .name('lifeline')
  .description('Lifeline: city lifeline safety monitoring (gas, water, drainage) and city operations')
  .showHelpAfterError();

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
      if (error instanceof ConfigError) {
        console.error(`lifeline: ${error.message}`);
      } else {
        console.error('lifeline: failed to start:', error);
      }
      process.exit(1);
    }
  });

await program.parseAsync(process.argv);
