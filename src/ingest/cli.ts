// CLI: `devices credentials`, `devices gateway`, `devices mosquitto-config`. They open the
// database themselves, so with PGlite the server must not be running (the DATA_DIR lock says so).
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { readConfig } from '../config/index.ts';
import { failAndExit } from '../platform/cli.ts';
import { DEMO_SENSORS } from '../sim/index.ts';
import { withConfiguredDatabase, type Db } from '../store/index.ts';
import { registerHj212Commands } from './hj212/cli.ts';
import { DEMO_GATEWAY_ID, demoSecretDeriver, DeviceCredentials, newSecret, type MqttLogin } from './credentials.ts';
import { mosquittoAcl, mosquittoConf, mosquittoPasswordLine } from './mosquitto.ts';

function withCredentials<T>(work: (db: Db, credentials: DeviceCredentials) => Promise<T>): Promise<T> {
  return withConfiguredDatabase(async (db) => {
    const credentials = new DeviceCredentials(db);
    await credentials.load();
    return work(db, credentials);
  });
}

async function registeredDevices(db: Db, ids: string[]): Promise<void> {
  const rows = await db.query<{ id: string }>('SELECT id FROM devices WHERE id = ANY($1::text[])', [ids]);
  const missing = ids.filter((id) => !rows.some((r) => r.id === id));
  if (missing.length > 0) throw new Error(`not registered devices: ${missing.join(', ')} (import them with the network first)`);
}

const done = (json: boolean, result: object, lines: string[]) => {
  for (const line of lines) console.log(line);
  if (json) console.log(JSON.stringify(result));
};

/** Demo principals whose stored secret is still the derived one, with that secret. */
async function demoLogins(db: Db, credentials: DeviceCredentials): Promise<MqttLogin[]> {
  const derive = await demoSecretDeriver(db);
  if (!derive) return [];
  const logins: MqttLogin[] = [];
  for (const id of [...new Set(DEMO_SENSORS.map((s) => s.deviceId)), DEMO_GATEWAY_ID]) {
    if (typeof (await credentials.verify(id, derive(id))) !== 'string') logins.push({ username: id, password: derive(id) });
  }
  return logins;
}

export function registerIngestCommands(program: Command): void {
  registerHj212Commands(program);
  const devices = program.command('devices').description('device and gateway credentials; broker files for an external MQTT broker (see docs/ingest.md)');

  devices
    .command('credentials <deviceId...>')
    .description('issue a new secret for each device (replacing the old one); shown once, stored only hashed')
    .option('--mosquitto-passwd <file>', 'also append the new secrets to this Mosquitto password file')
    .option('--json', 'print a JSON object as the last line')
    .action(async (ids: string[], opts: { mosquittoPasswd?: string; json?: boolean }) => {
      try {
        const issued = await withCredentials(async (db, credentials) => {
          await registeredDevices(db, ids);
          const result: MqttLogin[] = [];
          for (const id of ids) result.push({ username: id, password: await credentials.setDeviceSecret(id) });
          return result;
        });
        if (opts.mosquittoPasswd) appendFileSync(opts.mosquittoPasswd, issued.map((l) => `${mosquittoPasswordLine(l)}\n`).join(''), { mode: 0o600 });
        done(Boolean(opts.json), { devices: issued.map((l) => ({ deviceId: l.username, secret: l.password })) }, opts.json ? [] : issued.map((l) => `${l.username} ${l.password}`));
      } catch (error) {
        failAndExit(error);
      }
    });

  devices
    .command('gateway <gatewayId>')
    .description('register a gateway, or replace the devices it may report for; a new gateway gets a secret (shown once)')
    .requiredOption('--devices <ids>', 'comma-separated ids of the devices it reports for')
    .option('--name <name>', 'display name')
    .option('--rotate', 'issue a new secret for an existing gateway')
    .option('--json', 'print a JSON object as the last line')
    .action(async (id: string, opts: { devices: string; name?: string; rotate?: boolean; json?: boolean }) => {
      try {
        const ids = opts.devices.split(',').map((d) => d.trim()).filter(Boolean);
        const secret = await withCredentials(async (db, credentials) => {
          await registeredDevices(db, ids);
          return credentials.setGateway({ id, name: opts.name ?? id, devices: ids, ...(opts.rotate ? { secret: newSecret() } : {}) });
        });
        done(Boolean(opts.json), { gatewayId: id, devices: ids, secret }, opts.json ? [] : [`gateway ${id}: ${ids.length} devices${secret ? `, secret ${secret}` : ' (secret unchanged)'}`]);
      } catch (error) {
        failAndExit(error);
      }
    });

  devices
    .command('mosquitto-config')
    .description('write mosquitto.conf, acl and passwd for running Mosquitto as the devices\' broker (MQTT_URL)')
    .requiredOption('--out <dir>', 'directory for the files')
    .option('--port <port>', 'listener port in mosquitto.conf', '1883')
    .option('--json', 'print a JSON object as the last line')
    .action(async (opts: { out: string; port: string; json?: boolean }) => {
      try {
        const config = readConfig();
        // Lifeline's own login is the one in MQTT_URL, e.g. mqtt://lifeline-ingest:secret@broker:1883.
        const url = config.mqttUrl ? new URL(config.mqttUrl) : null;
        const ingest: MqttLogin | null = url?.username && url.password
          ? { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) } : null;
        const { gateways, logins, deviceCount } = await withCredentials(async (db, credentials) => {
          const principals = credentials.principals();
          return { gateways: principals.gateways, logins: await demoLogins(db, credentials), deviceCount: principals.devices.length };
        });
        const dir = path.resolve(opts.out);
        mkdirSync(dir, { recursive: true });
        const ingestUser = ingest?.username ?? 'lifeline-ingest';
        writeFileSync(path.join(dir, 'acl'), mosquittoAcl(config.topicPrefix, gateways, ingestUser));
        writeFileSync(path.join(dir, 'passwd'), [...(ingest ? [ingest] : []), ...logins].map((l) => `${mosquittoPasswordLine(l)}\n`).join(''), { mode: 0o600 });
        writeFileSync(path.join(dir, 'mosquitto.conf'), mosquittoConf({ port: Number(opts.port), dir }));
        const notes = [
          `wrote ${dir}/mosquitto.conf, acl (${deviceCount} devices, ${gateways.length} gateways), passwd (${logins.length} demo logins${ingest ? `, ingest user ${ingestUser}` : ''})`,
          ...(ingest ? [] : [`MQTT_URL carries no user:password: add one for ${ingestUser} with mosquitto_passwd and put it in MQTT_URL`]),
          'other devices: `lifeline devices credentials <id…> --mosquitto-passwd passwd` (secrets exist in clear only when issued)',
        ];
        done(Boolean(opts.json), { dir, devices: deviceCount, gateways: gateways.length, passwdEntries: logins.length + (ingest ? 1 : 0) }, notes);
      } catch (error) {
        failAndExit(error);
      }
    });
}
