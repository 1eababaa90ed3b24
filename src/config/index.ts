export { ConfigError, readConfig } from './env.ts';
export type { Config } from './env.ts';
export { choosePort, listenError } from './ports.ts';
