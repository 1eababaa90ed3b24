import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { buildApi, type GateRoute } from '../api/index.ts';
import { lazyTwin } from '../api/network-routes.ts';
import { AuthService, ensureInitialUsers, formatInitialLogins, readAuthMode, type AuthMode, type InitialLogin } from '../auth/index.ts';
import { openBus } from '../bus/index.ts';
import { readIngestStream, startJetStreamIngest, type IngestStreamConfig, type JetStreamIngest, type JetStreamIngestStats } from '../cluster/index.ts';
import { choosePort, ConfigError, listenError, readConfig, type Config } from '../config/index.ts';
import { ensureDefaultRules, openOfflineAlarms, RuleBookWatch } from '../detect/index.ts';
import {
  AuthCounters, DEMO_GATEWAY_ID, DeviceCredentials, ensureDemoCredentials, IngestPipeline, readDeviceAuth, startEmbeddedBroker, startExternalSubscriber,
  urlWithLogin, type DeviceAuthMode, type MqttLogin, readHj212Port, startHj212Server,
} from '../ingest/index.ts';
import { DiskAttachmentStore, registerEvidenceRoutes, sweepOrphanFiles } from '../evidence/index.ts';
import { backfillAudit, escalateOverdue, listIncidents } from '../incidents/index.ts';
import { runDrainageChecks } from '../drainage/checks.ts';
import { createNotifiers, NotifyService, readNotifyConfig, registerNotifyRoutes, type ChannelSetting, type RetryPolicy } from '../notify/index.ts';
import { NetworkTwin, SensorRegistry } from '../network/index.ts';
import { AlarmRouter, type Routed } from '../alerting/index.ts';
import { DEMO_SENSORS, seedDemoCity, simulatedSensors, startSimulator, type Simulator } from '../sim/index.ts';
import { applyRetention, inTurn, LOCKS, lockDataDir, migrate, openDatabase, PartitionKeeper, rollUp, type Db } from '../store/index.ts';
import { announceChanges } from './announce.ts';
import { DEFAULT_RENEW_MS, LeaderLease } from './leader.ts';
import { every } from './timers.ts';
import { ensureWebBuilt, PROJECT_ROOT, WEB_ROOT } from './web-build.ts';

export { ConfigError };
export { ensureWebBuilt, WEB_ROOT };

export interface PlatformOptions extends Partial<Config> {
  /** Load the demo city into an empty database (default true). */
  demo?: boolean;
  /** false silences the log (tests). */
  log?: boolean;
  /** Loads a model of one's own after migration (benchmarks, tests); runs before the demo city would. */
  seed?: (db: Db) => Promise<void>;
  /** Overrides DEVICE_AUTH. */
  deviceAuth?: DeviceAuthMode;
  /** Overrides AUTH. */
  auth?: AuthMode;
  /** Where the first start's generated passwords go (default: printed on the console, unless `log` is false). */
  onInitialLogins?: (logins: InitialLogin[], url: string) => void;
  /** The platform's clock (tests move it to run incident deadlines out). */
  clock?: () => Date;
  /** How often incident deadlines are checked (default 15 s). */
  slaCheckMs?: number;
  /** How often silences' start and expiry and flapping episodes are re-decided (default 5 s). */
  alertingCheckMs?: number;
  /** Overrides HJ212_PORT (0 = any free port; null = no HJ 212 listener). */
  hj212Port?: number | null;
  /** How often missed patrols, station water classes and rain classes are checked (default 60 s). */
  drainageCheckMs?: number;
  /** How often due webhook deliveries are looked for (default 1 s). */
  webhookCheckMs?: number;
  /** Overrides WEBHOOK_RETRY_BASE_MS, WEBHOOK_MAX_ATTEMPTS (and the 1 h cap), for webhooks and messages to people. */
  webhookRetry?: Partial<RetryPolicy>;
  /** Overrides NOTIFY_CHANNELS and the channels' gateways (NOTIFY_<CHANNEL>_URL, _SECRET). */
  notifyChannels?: ChannelSetting[];
  /** How often the rules' revision is compared and the rule book reloaded when another process changed a rule (default 5 s). */
  rulesCheckMs?: number;
  /** The timers' leader lease (default 15 s, renewed every 5 s; src/platform/leader.ts). */
  leaderLease?: { leaseMs?: number; renewMs?: number };
  /** Overrides INGEST_STREAM…: the JetStream ingest stream (null: ingest in process). */
  ingestStream?: IngestStreamConfig | null;
}

export interface Platform {
  url: string;
  /** Where devices publish: the embedded broker, or MQTT_URL. */
  mqttUrl: string;
  topicPrefix: string;
  logger: Logger;
  db: Db;
  /** MQTT login of a demo device or of the simulator's gateway (SIM-GW); undefined without the demo. */
  deviceCredentials(id: string): { username: string; password: string } | undefined;
  /** Accounts and sessions (null with AUTH=off). */
  auth: AuthService | null;
  /** Opens a login session for a user without its password (tests, tools in the same process); send the token as `Authorization: Bearer` or the session cookie. */
  login(userId: string): Promise<string>;
  /** Every HTTP route with the access it declares (what the access gate saw registered). */
  routes: readonly GateRoute[];
  /** Re-checks the logins of the open live WebSockets now (the server does so every minute). */
  recheckLiveLogins(): Promise<void>;
  /** Whether this process runs the leader-only timers now (always on PGlite). */
  isLeader(): boolean;
  /** The HJ 212-2017 TCP listener's port; null when HJ212_PORT is not set. */
  hj212Port: number | null;
  /** The JetStream ingest stream's counters and this process's partitions; null when INGEST_STREAM is not jetstream. */
  ingestStream(): JetStreamIngestStats | null;
  stop(): Promise<void>;
}

const VERSION = (JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

function listen(server: net.Server, port: number, host: string, variable: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error) => reject(listenError(error, variable, port)));
    server.listen({ port, host, exclusive: true }, () => resolve((server.address() as net.AddressInfo).port));
  });
}

/** Lets the simulator's gateway report for `deviceIds` (a generated city's devices have no logins of their own). */
async function authoriseSimulatorGateway(credentials: DeviceCredentials, deviceIds: string[]): Promise<void> {
  const gateway = credentials.principals().gateways.find((g) => g.id === DEMO_GATEWAY_ID);
  if (!gateway) return;
  const known = new Set(gateway.devices);
  if (deviceIds.every((d) => known.has(d))) return;
  await credentials.setGateway({ id: DEMO_GATEWAY_ID, name: 'demo city simulator', devices: [...new Set([...known, ...deviceIds])] });
}

/** Starts the whole platform; options override the environment (readConfig). */
export async function startPlatform(options: PlatformOptions = {}): Promise<Platform> {
  const config: Config = { ...readConfig(), ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
  const logger = pino({ level: options.log === false ? 'silent' : config.logLevel });
  const cleanups: (() => Promise<void> | void)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (error) {
        logger.warn({ err: error }, 'error while stopping');
      }
    }
  };
  try {
    if (config.buildWeb) await ensureWebBuilt((m) => logger.info(m));
    const dataDir = path.resolve(config.dataDir);
    if (!config.databaseUrl) cleanups.push(lockDataDir(dataDir));
    const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir });
    cleanups.push(() => db.close());
    const applied = await migrate(db);
    if (applied.length > 0) logger.info({ applied }, 'database migrated');
    await backfillAudit(db);
    // Processes starting together on a new database write the catalogue once, in turn.
    await inTurn(db, LOCKS.startup, (tx) => ensureDefaultRules(tx));
    if (options.seed) await options.seed(db);
    if (options.demo !== false && (await seedDemoCity(db, { timeZone: config.timeZone, now: options.clock?.() }))) logger.info('demo city loaded');

    const sensors = new SensorRegistry();
    await sensors.load(db);
    const credentials = new DeviceCredentials(db);
    await credentials.load();
    const demoDevices = [...new Set(DEMO_SENSORS.map((s) => s.deviceId))].filter((d) => sensors.hasDevice(d));
    const demoLogins = options.demo === false ? new Map<string, MqttLogin>() : await ensureDemoCredentials(db, credentials, demoDevices);
    // A generated city is synthetic through and through: the simulator drives all its sensors,
    // through its gateway. An imported (real) network's devices are never simulated.
    const generated = (await db.query(`SELECT 1 FROM network_imports WHERE format = 'generator' LIMIT 1`)).length > 0;
    const simulated = sensors.all().filter((s) => generated || demoDevices.includes(s.deviceId));
    if (generated && demoLogins.size > 0) await authoriseSimulatorGateway(credentials, simulated.map((s) => s.deviceId));
    const deviceAuth = options.deviceAuth ?? readDeviceAuth();
    const authCounters = new AuthCounters();
    // Where every sensor sits and the composite rules' anchors on the network twin, before the first batch.
    // Rules changed through another process reach this one within rulesCheckMs (src/detect/revision.ts).
    const ruleWatch = await RuleBookWatch.load(db);
    const rules = ruleWatch.book;
    // Live events cross processes through NATS, or PostgreSQL LISTEN/NOTIFY without it (docs/cluster.md). Closed late: the last announcements still go out.
    const bus = await openBus({ natsUrl: config.natsUrl, natsSubject: config.natsSubject, databaseUrl: config.databaseUrl, logger });
    cleanups.push(() => bus.close());
    const onError = (error: unknown) => logger.error({ err: error }, 'ingest error');
    const partitions = new PartitionKeeper(db);
    const clock = options.clock ?? (() => new Date());
    const notifyConfig = readNotifyConfig();
    const notify = new NotifyService({
      db, bus, clock, logger, notifiers: createNotifiers(options.notifyChannels ?? notifyConfig.channels, logger),
      policy: { ...notifyConfig.retry, ...options.webhookRetry }, catchUpMs: notifyConfig.catchUpMs,
      sensorContext: (id) => ({ ownerId: sensors.get(id)?.ownerId ?? null, assetId: sensors.get(id)?.assetId ?? null }),
    });
    cleanups.push(notify.listen());
    cleanups.push(() => notify.settled());
    // Noise control between detection and incidents, notifications and the live feed (docs/alerting.md).
    const alerting = new AlarmRouter({
      twin: (q) => NetworkTwin.load(q), incidentLevel: config.incidentLevel,
      context: (change) => {
        const sensor = sensors.get(change.sensorId);
        return sensor && { title: `${sensor.name} · ${rules.rule(change.ruleId)?.name ?? change.ruleId}`, assetId: sensor.assetId, ownerId: sensor.ownerId };
      },
      // Whoever routes (ingest, the timers, a request) writes the deliveries and messages in its transaction.
      record: (tx, handled, now) => notify.recordAlarmChanges(tx, handled, now),
    });
    const announceRouted = (routed: Routed) => announceChanges(db, bus, [], [], routed);
    // With INGEST_STREAM=jetstream the transports store uplinks in the stream, and this pipeline
    // commits the partitions this process holds (docs/cluster.md, "Durable ingest on JetStream").
    const streamConfig = options.ingestStream === undefined ? readIngestStream() : options.ingestStream;
    if (streamConfig && !config.natsUrl) throw new ConfigError('INGEST_STREAM=jetstream needs NATS_URL');
    let stream: JetStreamIngest | null = null;
    const pipeline = new IngestPipeline({
      db, sensors, rules: () => rules, partitions, incidentLevel: config.incidentLevel, onError, highWater: config.ingestHighWater, alerting,
      onCommitted: (fresh, changes, routed) => announceChanges(db, bus, fresh, changes, routed),
      inTransaction: async (tx, uplinks) => stream?.record(tx, uplinks),
    });
    cleanups.push(() => pipeline.drain());
    if (streamConfig) {
      const started = await startJetStreamIngest({
        url: config.natsUrl!, stream: streamConfig, db, pipeline, holder: `${config.instanceId}:${process.pid}:${randomUUID().slice(0, 8)}`,
        mayReport: (gatewayId, deviceId) => deviceAuth === 'off' || credentials.mayReport(gatewayId, deviceId), logger, highWater: config.ingestHighWater,
        consume: streamConfig.consume,
      });
      stream = started;
      // Stopped after the transports (closed later in the list, so earlier at stop) and before the pipeline drains.
      cleanups.push(() => started.stop());
    }
    const sink = stream?.sink ?? pipeline;
    // Timers that must run once across processes run on the lease's holder only (README, architecture).
    const lease = new LeaderLease({
      db, holder: `${config.instanceId}:${process.pid}:${randomUUID().slice(0, 8)}`, leaseMs: options.leaderLease?.leaseMs,
      onChange: (leader) => logger.info({ holder: lease.holder }, leader ? 'leader: running the leader-only timers' : 'no longer leader'),
    });
    cleanups.push(await lease.start(options.leaderLease?.renewMs ?? DEFAULT_RENEW_MS, (error) => logger.error({ err: error }, 'leader lease renewal failed')));
    cleanups.push(every(config.offlineCheckMs, lease.only(async () => {
      const { opened, routed } = await db.transaction(async (tx) => {
        const opened = await openOfflineAlarms(tx, clock());
        const routed = await alerting.route(tx, opened, clock());
        return { opened, routed };
      });
      if (opened.length > 0) await announceChanges(db, bus, [], opened, routed);
    }), (error) => logger.error({ err: error }, 'offline check failed')));
    // Silences that start or expire, flapping episodes that stand: re-decided every few seconds.
    cleanups.push(every(options.alertingCheckMs ?? 5_000, lease.only(async () => {
      const routed = await db.transaction((tx) => alerting.reconcileIfDue(tx, clock()));
      if (routed.alarmIds.length > 0) await announceRouted(routed);
    }), (error) => logger.error({ err: error }, 'alerting check failed')));
    // Every process evaluates rules, so every process watches them (not the leader only).
    cleanups.push(every(options.rulesCheckMs ?? 5_000, async () => {
      if (await ruleWatch.check()) logger.info('rules changed: rule book reloaded');
    }, (error) => logger.error({ err: error }, 'rules check failed')));
    cleanups.push(every(config.rollupIntervalMs, async () => {
      await rollUp(db, clock(), config.timeZone);
    }, (error) => logger.error({ err: error }, 'rollup failed')));
    cleanups.push(every(options.slaCheckMs ?? 15_000, async () => {
      const ids = await db.transaction((tx) => escalateOverdue(tx, clock()));
      if (ids.length > 0) bus.publish({ type: 'incidents', incidents: await listIncidents(db, { ids }) });
    }, (error) => logger.error({ err: error }, 'incident deadline check failed')));
    const retain = lease.only(async () => {
      const dropped = await applyRetention(db, config.retention, clock(), partitions);
      if (dropped.length > 0) logger.info({ dropped }, 'retention dropped partitions');
    });
    await retain();
    cleanups.push(every(options.webhookCheckMs ?? 1_000, async () => {
      await notify.tick();
    }, (error) => logger.error({ err: error }, 'webhook delivery pass failed')));
    cleanups.push(every(3_600_000, retain, (error) => logger.error({ err: error }, 'retention failed')));
    // Every process sweeps the evidence store it writes to (its own DATA_DIR), so not the leader only.
    const evidenceStore = new DiskAttachmentStore(path.join(dataDir, 'evidence'));
    const sweepEvidence = async () => {
      const removed = await sweepOrphanFiles(db, evidenceStore, clock());
      if (removed.length > 0) logger.warn({ removed }, 'evidence: removed files no attachment names (an upload cut off between file and row)');
    };
    const logSweepError = (error: unknown) => logger.error({ err: error }, 'evidence orphan sweep failed');
    const firstSweep = sweepEvidence().catch(logSweepError);
    cleanups.push(() => firstSweep);
    cleanups.push(every(3_600_000, sweepEvidence, logSweepError));
    cleanups.push(every(options.drainageCheckMs ?? 60_000, lease.only(async () => {
      const changes = await runDrainageChecks(db, clock(), config.timeZone);
      if (changes.length === 0) return;
      const routed = await db.transaction((tx) => alerting.route(tx, changes, clock()));
      await announceChanges(db, bus, [], changes, routed);
    }), (error) => logger.error({ err: error }, 'drainage checks failed')));

    let mqttUrl: string;
    if (config.mqttUrl) {
      const subscriber = await startExternalSubscriber({
        url: config.mqttUrl, pipeline: sink, topicPrefix: config.topicPrefix, clientId: `lifeline-${config.topicPrefix}-${config.instanceId}`,
        shareGroup: config.mqttShareGroup, onError,
        credentials: deviceAuth === 'required' ? credentials : null,
      });
      cleanups.push(() => subscriber.close());
      mqttUrl = config.mqttUrl;
    } else {
      const mqttServer = net.createServer();
      const port = await listen(mqttServer, await choosePort(config.mqttPort, 1883, config.host), config.host, 'MQTT_PORT');
      const broker = await startEmbeddedBroker({
        server: mqttServer, pipeline: sink, topicPrefix: config.topicPrefix, onError, auth: deviceAuth === 'required' ? { credentials, counters: authCounters } : null,
      });
      cleanups.push(() => broker.close());
      mqttUrl = `mqtt://127.0.0.1:${port}`;
    }
    const hj212Requested = options.hj212Port === undefined ? readHj212Port() : options.hj212Port;
    let hj212Port: number | null = null;
    if (hj212Requested !== null) {
      const hj212Server = net.createServer();
      await listen(hj212Server, hj212Requested, config.host, 'HJ212_PORT');
      const hj212 = await startHj212Server({ server: hj212Server, pipeline: sink, onError, auth: deviceAuth === 'required' ? { credentials, counters: authCounters } : null });
      cleanups.push(() => hj212.close());
      hj212Port = hj212.port;
    }

    const authMode = options.auth ?? readAuthMode();
    const auth = authMode === 'off' ? null : new AuthService(db, clock);
    // Also with AUTH=off, so that switching it on later finds the accounts there.
    const initialLogins = await ensureInitialUsers(db, auth ?? new AuthService(db, clock));
    if (authMode === 'off') logger.warn('AUTH=off: every API route and the live feed are open to anyone who can reach this port');

    const app = await buildApi({
      db, bus, sensors, broker: config.mqttUrl ? 'external' : 'embedded', version: VERSION, startedAt: Date.now(),
      clock, timeZone: config.timeZone, rules: () => rules, logger, auth, webRoot: WEB_ROOT, leader: () => lease.isLeader(),
      ingestStream: () => stream?.stats() ?? null,
      ingest: { pipeline, sink, credentials, counters: authCounters, deviceAuth }, alerting: { router: alerting, announce: announceRouted },
      // One network twin in memory, shared by the network and analysis routes.
      twin: lazyTwin(db),
    });
    registerEvidenceRoutes(app, { db, store: evidenceStore, clock });
    registerNotifyRoutes(app, { db, service: notify, clock });
    cleanups.push(() => app.close());
    const httpPort = await choosePort(config.port, 8080, config.host);
    try {
      await app.listen({ port: httpPort, host: config.host });
    } catch (error) {
      throw listenError(error, 'PORT', httpPort);
    }
    const boundPort = (app.server.address() as net.AddressInfo).port;

    if (config.simulate) {
      const simulator: Simulator = await startSimulator({
        brokerUrl: urlWithLogin(mqttUrl, demoLogins.get(DEMO_GATEWAY_ID)), topicPrefix: config.topicPrefix, intervalMs: config.simIntervalMs,
        sensors: simulatedSensors(simulated), onError,
      });
      cleanups.push(() => simulator.stop());
    }
    const url = `http://127.0.0.1:${boundPort}`;
    if (initialLogins.length > 0) {
      // Shown once, on the console only: never logged, stored only hashed.
      if (options.onInitialLogins) options.onInitialLogins(initialLogins, url);
      else if (options.log !== false) process.stdout.write(`${formatInitialLogins(initialLogins, url)}\n`);
    }
    const login = async (userId: string) => {
      if (!auth) throw new Error('AUTH=off: there are no sessions');
      return (await auth.openSession(userId)).token;
    };
    return { url, mqttUrl, topicPrefix: config.topicPrefix, logger, db, deviceCredentials: (id) => demoLogins.get(id), auth, login, routes: app.accessTable, recheckLiveLogins: () => app.recheckLiveLogins(), isLeader: () => lease.isLeader(), hj212Port, ingestStream: () => stream?.stats() ?? null, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
