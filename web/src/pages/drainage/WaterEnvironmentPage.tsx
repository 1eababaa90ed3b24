import { useTranslation } from 'react-i18next';
import { drainageApi } from '../../api/drainage-programme.ts';
import { CLASS_COLOURS, num, useLoad } from './useLoad.ts';

/** One coloured cell per day: the class strip Chinese water reports draw. */
function ClassStrip({ days, testId }: { days: { date: string; class: string | null }[]; testId: string }) {
  return (
    <div className="dp-strip" data-testid={testId}>
      {days.map((d) => (
        <span key={d.date} className="dp-strip-day" title={`${d.date} ${d.class ?? '—'}`} data-class={d.class ?? ''} style={{ background: d.class ? CLASS_COLOURS[d.class] : 'transparent' }} />
      ))}
    </div>
  );
}

/** Water environment: GB 3838 class per station per day, the trend by river, waterlogging points and rain. */
export function WaterEnvironmentPage() {
  const { t, i18n } = useTranslation();
  const { data, error } = useLoad(drainageApi.water);
  return (
    <div data-testid="water-page">
      <div className="page-header"><h1>{t('drainageProgramme.water.title')}</h1></div>
      {error && <p className="page-error">{error}</p>}
      <p className="dp-legend">
        {Object.entries(CLASS_COLOURS).map(([c, colour]) => <span key={c}><span className="dp-swatch" style={{ background: colour }} />{c} </span>)}
        <span className="dp-muted">{t('drainageProgramme.water.legend')}</span>
      </p>
      {data && (
        <>
          <h2 className="dp-h2">{t('drainageProgramme.water.rivers')}</h2>
          <table className="page-table">
            <tbody>
              {Object.entries(data.rivers).map(([river, days]) => (
                <tr key={river} data-testid="river-row" data-river={river}>
                  <td>{river}</td>
                  <td><ClassStrip days={days} testId="river-strip" /></td>
                  <td>{days.at(-1)?.class ?? '—'}</td>
                </tr>
              ))}
              {Object.keys(data.rivers).length === 0 && <tr><td className="dp-muted">{t('drainageProgramme.noData')}</td></tr>}
            </tbody>
          </table>
          <h2 className="dp-h2">{t('drainageProgramme.water.stations')}</h2>
          <table className="page-table">
            <thead><tr><th>{t('drainageProgramme.water.station')}</th><th>{t('drainageProgramme.water.target')}</th><th>{t('drainageProgramme.water.daily')}</th><th>{t('drainageProgramme.water.latest')}</th></tr></thead>
            <tbody>
              {data.stations.map((s) => {
                const last = [...s.days].reverse().find((d) => d.class);
                const below = s.days.filter((d) => d.class && s.targetClass && Object.keys(CLASS_COLOURS).indexOf(d.class) > Object.keys(CLASS_COLOURS).indexOf(s.targetClass));
                return (
                  <tr key={s.id} data-testid="station-row" data-station-id={s.id}>
                    <td>{s.name}</td>
                    <td>{s.targetClass ?? '—'}</td>
                    <td>
                      <ClassStrip days={s.days} testId="station-strip" />
                      {below.length > 0 && <small className="dp-warn" data-testid="below-target">{t('drainageProgramme.water.belowTarget', { count: below.length, dates: below.map((d) => d.date).join(', ') })}</small>}
                    </td>
                    <td>{last ? `${last.date} ${last.class}${last.limiting.length ? ` (${last.limiting.map((item) => t(`indicator.${item}`, { defaultValue: item })).join(i18n.language === 'zh-CN' ? '、' : ', ')})` : ''}` : '—'}</td>
                  </tr>
                );
              })}
              {data.stations.length === 0 && <tr><td colSpan={4} className="dp-muted">{t('drainageProgramme.noData')}</td></tr>}
            </tbody>
          </table>
          <h2 className="dp-h2">{t('drainageProgramme.water.waterlogging')}</h2>
          <table className="page-table">
            <thead><tr><th>{t('drainageProgramme.water.point')}</th><th className="num">{t('drainageProgramme.water.depth')}</th><th className="num">{t('drainageProgramme.water.rain1h')}</th><th className="num">{t('drainageProgramme.water.rain12h')}</th><th className="num">{t('drainageProgramme.water.rain24h')}</th><th>{t('drainageProgramme.water.rainClass')}</th></tr></thead>
            <tbody>
              {data.waterlogging.map((w) => (
                <tr key={w.id} data-testid="waterlogging-row">
                  <td>{w.name}</td>
                  <td className="num">{w.depthM === null ? t('drainageProgramme.noData') : `${num(w.depthM, 2, i18n.language)} m`}</td>
                  <td className="num">{w.rainOneHourMm === null ? '—' : num(w.rainOneHourMm, 1, i18n.language)}</td>
                  <td className="num">{w.rainTwelveHourMm === null ? '—' : num(w.rainTwelveHourMm, 1, i18n.language)}</td>
                  <td className="num">{w.rainDayMm === null ? '—' : num(w.rainDayMm, 1, i18n.language)}</td>
                  <td>{w.rainClass ? t(`drainageProgramme.rain.${w.rainClass}`) : t('drainageProgramme.rain.none')}</td>
                </tr>
              ))}
              {data.waterlogging.length === 0 && <tr><td colSpan={6} className="dp-muted">{t('drainageProgramme.noData')}</td></tr>}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}
