// Areas of the twin: districts (片区), blocks (区块) and governance zones (治理分区) with their asset
// counts, pipe lengths and sensors; a click zooms the map to the area.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AreaKind, AreaStatsDto } from '../api.ts';

const KINDS: AreaKind[] = ['district', 'block', 'zone'];

interface Props {
  stats: AreaStatsDto[] | null;
  selectedId: string | null;
  onZoom(areaId: string): void;
}

export function AreasPanel({ stats, selectedId, onZoom }: Props) {
  const { t, i18n } = useTranslation();
  const [kind, setKind] = useState<AreaKind>('district');
  const [open, setOpen] = useState(true);
  const rows = (stats ?? []).filter((s) => s.kind === kind);
  const km = (s: AreaStatsDto) => s.totals.reduce((sum, x) => sum + x.lengthM, 0) / 1000;
  const count = (s: AreaStatsDto) => s.totals.reduce((sum, x) => sum + x.count, 0);
  const fmt = (v: number, digits = 0) => new Intl.NumberFormat(i18n.language, { maximumFractionDigits: digits }).format(v);

  return (
    <section className="panel-section areas-panel" aria-labelledby="areas-heading" data-testid="areas-panel">
      <h2 id="areas-heading">
        <button type="button" className="panel-toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
          {t('areas.heading')}
        </button>
      </h2>
      {open && (
        <>
          <div className="chart-ranges" role="group" aria-label={t('areas.kind')}>
            {KINDS.map((k) => (
              <button key={k} type="button" aria-pressed={k === kind} data-kind={k} onClick={() => setKind(k)}>
                {t(`areas.kinds.${k}`)} {stats ? `(${fmt(stats.filter((s) => s.kind === k).length)})` : ''}
              </button>
            ))}
          </div>
          {stats === null ? (
            <p className="empty">{t('app.loading')}</p>
          ) : rows.length === 0 ? (
            <p className="empty">{t('areas.empty')}</p>
          ) : (
            <table className="areas-table">
              <thead>
                <tr>
                  <th>{t('areas.name')}</th>
                  <th>{t('areas.assets')}</th>
                  <th>{t('areas.km')}</th>
                  <th>{t('areas.sensors')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((s) => (
                  <tr key={s.areaId} data-testid="area-row" data-area-id={s.areaId} aria-selected={s.areaId === selectedId} onClick={() => onZoom(s.areaId)}>
                    <td>
                      <button type="button" className="link" title={s.totals.map((x) => `${t(`network.${x.network}`)} ${x.assetType} ${fmt(x.count)}`).join('\n')}>
                        {s.name}
                      </button>
                    </td>
                    <td>{fmt(count(s))}</td>
                    <td>{fmt(km(s), 1)}</td>
                    <td>{fmt(s.sensors)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
