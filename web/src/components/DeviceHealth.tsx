import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { DeviceHealthDto, IngestStatsDto, SensorDto } from '../api.ts';
import { HEALTH_COLORS, HEALTH_STATUSES } from '../colors.ts';
import { formatRelative, formatValue } from '../format.ts';

type Status = DeviceHealthDto['status'];

interface Props {
  /** null until the first answer. */
  devices: DeviceHealthDto[] | null;
  stats: IngestStatsDto | null;
  sensors: SensorDto[];
  onLocate(sensorId: string): void;
}

const RANK: Record<Status, number> = Object.fromEntries(HEALTH_STATUSES.map((s, i) => [s, i])) as Record<Status, number>;
const orNull = (v: number | null, fallback: number) => (v === null ? fallback : v);

/**
 * Worst first: by status, then the emptiest battery, the weakest signal, the longest silence,
 * the most dead letters.
 */
function worstFirst(a: DeviceHealthDto, b: DeviceHealthDto): number {
  return (
    RANK[a.status] - RANK[b.status] ||
    orNull(a.battery, Infinity) - orNull(b.battery, Infinity) ||
    orNull(a.signal, Infinity) - orNull(b.signal, Infinity) ||
    (a.lastSeen === null ? -Infinity : Date.parse(a.lastSeen)) - (b.lastSeen === null ? -Infinity : Date.parse(b.lastSeen)) ||
    b.deadLetters24h - a.deadLetters24h ||
    a.id.localeCompare(b.id)
  );
}

function StatusChip({ status, label }: { status: Status; label: string }) {
  return (
    <span className={`health-chip status-${status}`} style={{ ['--chip' as string]: HEALTH_COLORS[status] }}>
      {label}
    </span>
  );
}

/** A small horizontal gauge; the number beside it is what is read out. */
function BatteryBar({ percent }: { percent: number }) {
  const clamped = Math.max(0, Math.min(100, percent));
  const colour = clamped < 10 ? '#d32f2f' : clamped < 20 ? HEALTH_COLORS.low_battery : HEALTH_COLORS.ok;
  return (
    <span className="battery-bar" aria-hidden="true">
      <span className="battery-fill" style={{ width: `${clamped}%`, background: colour }} />
    </span>
  );
}

export function DeviceHealth({ devices, stats, sensors, onLocate }: Props) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const counts = useMemo(() => {
    const c = Object.fromEntries(HEALTH_STATUSES.map((s) => [s, 0])) as Record<Status, number>;
    for (const d of devices ?? []) c[d.status]++;
    return c;
  }, [devices]);
  const attention = useMemo(() => (devices ?? []).filter((d) => d.status !== 'ok').sort(worstFirst), [devices]);
  const firstSensor = useMemo(() => {
    const first = new Map<string, string>();
    for (const s of sensors) if (!first.has(s.deviceId)) first.set(s.deviceId, s.id);
    return first;
  }, [sensors]);
  const number = (n: number) => new Intl.NumberFormat(lang).format(n);

  return (
    <details className="panel-section device-health" data-testid="device-health">
      <summary>
        <h2 id="device-health-heading">
          {t('deviceHealth.heading')}{' '}
          <span className="count" title={t('deviceHealth.attentionCount', { count: attention.length })}>
            {devices === null ? '…' : attention.length}
          </span>
        </h2>
      </summary>
      {devices === null ? (
        <p className="empty">{t('deviceHealth.loading')}</p>
      ) : (
        <>
          <ul className="health-chips" aria-label={t('deviceHealth.byStatus')}>
            {HEALTH_STATUSES.map((status) => (
              <li key={status} data-testid="health-count" data-status={status} data-count={counts[status]}>
                <StatusChip status={status} label={`${t(`deviceHealth.status.${status}`)} ${number(counts[status])}`} />
              </li>
            ))}
          </ul>
          {attention.length === 0 ? (
            <p className="empty">{t('deviceHealth.allOk')}</p>
          ) : (
            <ul className="list" aria-label={t('deviceHealth.attention')}>
              {attention.map((d) => {
                const sensorId = firstSensor.get(d.id);
                return (
                  <li key={d.id} className={`health-item status-${d.status}`} data-testid="device-health-item" data-device-id={d.id} data-status={d.status}>
                    <button
                      type="button"
                      className="item-button"
                      title={sensorId ? t('deviceHealth.locate') : t('deviceHealth.noSensor')}
                      disabled={!sensorId}
                      onClick={() => sensorId && onLocate(sensorId)}
                    >
                      <div className="item-row">
                        <StatusChip status={d.status} label={t(`deviceHealth.status.${d.status}`)} />
                        <span className="item-title">{d.name}</span>
                        {d.lastSeen === null ? (
                          <span className="item-time">{t('deviceHealth.never')}</span>
                        ) : (
                          <time className="item-time" dateTime={d.lastSeen} title={new Date(d.lastSeen).toLocaleString(lang)}>
                            {formatRelative(d.lastSeen, lang)}
                          </time>
                        )}
                      </div>
                      <div className="item-row item-detail health-metrics">
                        <span className="metric battery" data-testid="battery">
                          <span className="metric-label">{t('deviceHealth.battery')}</span>
                          {d.battery === null ? (
                            <span className="item-value">—</span>
                          ) : (
                            <>
                              <BatteryBar percent={d.battery} />
                              <span className="item-value">{formatValue(d.battery, '%', lang)}</span>
                            </>
                          )}
                        </span>
                        <span className="metric signal" data-testid="signal">
                          <span className="metric-label">{t('deviceHealth.signal')}</span>
                          <span className="item-value">{d.signal === null ? '—' : formatValue(d.signal, 'dBm', lang)}</span>
                        </span>
                        <span className="metric dead" data-testid="dead-letters">
                          <span className="metric-label">{t('deviceHealth.deadLetters')}</span>
                          <span className="item-value">{number(d.deadLetters24h)}</span>
                        </span>
                      </div>
                    </button>
                  </li>
                );
              })}
            </ul>
          )}
        </>
      )}
      <p className="ingest-status" data-testid="ingest-status">
        {stats === null
          ? t('deviceHealth.ingest.unknown')
          : t('deviceHealth.ingest.line', {
              committed: number(stats.pipeline.committedReadings),
              queued: number(stats.pipeline.queued),
              highWater: number(stats.pipeline.highWater),
              shed: number(stats.pipeline.shed),
              refused: number(stats.auth.total),
            })}
      </p>
    </details>
  );
}
