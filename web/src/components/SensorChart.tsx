// History chart of one sensor in the sensor card: range buttons, avg line over a min–max band
// (just the line for raw readings), locale time axis, and the resolution the server chose. Short
// ranges refetch when live readings for the sensor arrive, at most every LIVE_REFRESH_MS.
// The thresholds of the rules in force are dashed lines in their level's colour, where they fall
// inside the value range.
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type SensorDto, type SeriesDto, type ThresholdRuleDto } from '../api.ts';
import { layout, RANGES, REQUEST_LEAD_MS, tickFormat, type Box, type RangeKey } from '../chart.ts';
import { LEVEL_COLORS } from '../colors.ts';
import { formatValue } from '../format.ts';

const LIVE_REFRESH_MS = 5000;

const BOX: Box = { width: 296, height: 140, left: 34, right: 8, top: 20, bottom: 18 };

interface Loaded {
  /** `${sensorId}|${range}`: data of another sensor or range is never drawn. */
  key: string;
  series: SeriesDto;
  from: number;
  now: number;
}

interface Props {
  sensor: Pick<SensorDto, 'id' | 'name' | 'unit' | 'latest'>;
}

export function SensorChart({ sensor }: Props) {
  const { t, i18n } = useTranslation();
  const language = i18n.language;
  const titleId = useId();
  const descId = useId();
  const [rangeKey, setRangeKey] = useState<RangeKey>('1h');
  const range = RANGES.find((r) => r.key === rangeKey) ?? RANGES[0]!;
  const key = `${sensor.id}|${range.key}`;

  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<{ key: string; message: string } | null>(null);
  const [reload, setReload] = useState(0);
  const lastFetch = useRef(0);

  useEffect(() => {
    const controller = new AbortController();
    const now = Date.now();
    const from = now - range.ms;
    lastFetch.current = now;
    api
      .series(sensor.id, { from: new Date(from), to: new Date(now + REQUEST_LEAD_MS) }, controller.signal)
      .then((series) => {
        if (controller.signal.aborted) return;
        setLoaded({ key, series, from, now });
        setError(null);
      })
      .catch((err: unknown) => {
        if (controller.signal.aborted) return;
        setError({ key, message: err instanceof Error ? err.message : String(err) });
      });
    return () => controller.abort();
  }, [sensor.id, range.ms, key, reload]);

  // Live readings move the sensor's latest value: refetch short ranges, throttled (not debounced,
  // so a steady stream still refreshes every LIVE_REFRESH_MS).
  const latestTs = sensor.latest?.ts ?? null;
  const seen = useRef({ key, latestTs });
  useEffect(() => {
    const before = seen.current;
    seen.current = { key, latestTs };
    if (!range.live || before.key !== key || before.latestTs === latestTs || latestTs === null) return;
    const wait = Math.max(0, lastFetch.current + LIVE_REFRESH_MS - Date.now());
    const timer = setTimeout(() => setReload((n) => n + 1), wait);
    return () => clearTimeout(timer);
  }, [key, latestTs, range.live]);

  const [rules, setRules] = useState<{ sensorId: string; rules: ThresholdRuleDto[] } | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    api
      .sensorRules(sensor.id, controller.signal)
      .then((list) => !controller.signal.aborted && setRules({ sensorId: sensor.id, rules: list }))
      // Without rules the chart is still the chart.
      .catch(() => undefined);
    return () => controller.abort();
  }, [sensor.id]);

  const current = loaded?.key === key ? loaded : null;
  const currentError = error?.key === key ? error.message : null;
  const geometry = useMemo(() => (current ? layout(current.series, current.from, current.now, BOX) : null), [current]);

  const timeFormat = (value: number, options: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat(language, options).format(value);
  const number = (value: number) => new Intl.NumberFormat(language, { maximumFractionDigits: 2 }).format(value);
  const points = current?.series.points ?? [];
  const resolution = current?.series.resolution;

  let body;
  if (!current) {
    body = currentError ? (
      <ChartStatus text={t('chart.error', { message: currentError })} onRetry={() => setReload((n) => n + 1)} retry={t('chart.retry')} />
    ) : (
      <ChartStatus text={t('chart.loading')} />
    );
  } else if (points.length === 0) {
    body = <ChartStatus text={t('chart.empty')} testId="chart-empty" />;
  } else {
    const g = geometry!;
    const full = { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false } as const;
    const summary = t('chart.summary', {
      count: points.length,
      from: timeFormat(Date.parse(points[0]!.ts), full),
      to: timeFormat(Date.parse(points[points.length - 1]!.ts), full),
      min: formatValue(Math.min(...points.map((p) => p.min)), sensor.unit, language),
      max: formatValue(Math.max(...points.map((p) => p.max)), sensor.unit, language),
    });
    const plotRight = BOX.width - BOX.right;
    const plotBottom = BOX.height - BOX.bottom;
    const [y0, y1] = g.yDomain;
    const yOf = (v: number) => Math.round((BOX.top + (1 - (v - y0) / (y1 - y0 || 1)) * (plotBottom - BOX.top)) * 10) / 10;
    const thresholds = (rules?.sensorId === sensor.id ? rules.rules : [])
      .flatMap((rule) => rule.thresholds.map((th) => ({ ...th, rule })))
      .filter((th) => th.value >= y0 && th.value <= y1);
    body = (
      <svg
        className="chart-svg"
        viewBox={`0 0 ${BOX.width} ${BOX.height}`}
        role="img"
        aria-labelledby={`${titleId} ${descId}`}
        data-testid="sensor-chart"
        data-range={range.key}
        data-resolution={resolution}
        data-points={points.length}
        data-readings={points.reduce((n, p) => n + p.count, 0)}
      >
        <title id={titleId}>{t('chart.title', { name: sensor.name, range: t(`chart.rangeLong.${range.key}`) })}</title>
        <desc id={descId}>{summary}</desc>
        <g className="chart-grid" aria-hidden="true">
          {g.yTicks.map((tick) => (
            <g key={tick.value}>
              <line x1={BOX.left} x2={plotRight} y1={tick.at} y2={tick.at} />
              <text x={BOX.left - 4} y={tick.at} textAnchor="end" dominantBaseline="middle">
                {number(tick.value)}
              </text>
            </g>
          ))}
          {g.xTicks.map((tick) => (
            <g key={tick.value}>
              <line x1={tick.at} x2={tick.at} y1={plotBottom} y2={plotBottom + 3} />
              <text x={tick.at} y={BOX.height - 3} textAnchor="middle">
                {timeFormat(tick.value, tickFormat(g.tickUnit, tick.value))}
              </text>
            </g>
          ))}
          <text className="chart-unit" x={0} y={8}>
            {sensor.unit}
          </text>
        </g>
        {thresholds.map((th) => (
          <line
            key={`${th.rule.id}-${th.level}`}
            className="chart-threshold"
            data-testid="threshold-line"
            data-level={th.level}
            data-value={th.value}
            x1={BOX.left}
            x2={plotRight}
            y1={yOf(th.value)}
            y2={yOf(th.value)}
            stroke={LEVEL_COLORS[th.level]}
            strokeWidth={1}
            strokeDasharray="4 3"
          >
            <title>{t('chart.threshold', { level: t(`level.${th.level}`), value: formatValue(th.value, sensor.unit, language) })}</title>
          </line>
        ))}
        {g.band && <path className="chart-band" data-testid="chart-band" d={g.band} />}
        <path className="chart-line" data-testid="chart-line" d={g.line} />
        {g.dots.map((d, i) => (
          <circle key={i} className="chart-dot" cx={d.x} cy={d.y} r={2} />
        ))}
      </svg>
    );
  }

  return (
    <section className="sensor-chart" aria-labelledby={`${titleId}-heading`}>
      <div className="chart-head">
        <h4 id={`${titleId}-heading`}>{t('chart.heading')}</h4>
        {resolution && (
          <span className="chart-resolution" data-testid="chart-resolution" data-resolution={resolution}>
            {t(`chart.resolution.${resolution}`)}
          </span>
        )}
      </div>
      <div className="chart-ranges" role="group" aria-label={t('chart.ranges')}>
        {RANGES.map((r) => (
          <button
            key={r.key}
            type="button"
            aria-pressed={r.key === range.key}
            title={t(`chart.rangeLong.${r.key}`)}
            data-range={r.key}
            onClick={() => setRangeKey(r.key)}
          >
            {t(`chart.range.${r.key}`)}
          </button>
        ))}
      </div>
      {body}
      {current && currentError && (
        <p className="chart-note" role="status">
          {t('chart.error', { message: currentError })}
        </p>
      )}
    </section>
  );
}

function ChartStatus({ text, testId, onRetry, retry }: { text: string; testId?: string; onRetry?: () => void; retry?: string }) {
  return (
    <div className="chart-status" role="status" data-testid={testId}>
      <span>{text}</span>
      {onRetry && (
        <button type="button" onClick={onRetry}>
          {retry}
        </button>
      )}
    </div>
  );
}
