import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { drainageApi, type Facility } from '../../api/drainage-programme.ts';
import { formatValue } from '../../format.ts';
import { num, useLoad } from './useLoad.ts';

const time = (iso: string, lang: string) => new Date(iso).toLocaleString(lang, { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });

function FacilityCard({ f, onChanged }: { f: Facility; onChanged(): void }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const [failure, setFailure] = useState<string | null>(null);
  const checkIn = (id: string) => drainageApi.checkIn(id, '').then(onChanged, (e: unknown) => setFailure(e instanceof Error ? e.message : String(e)));
  return (
    <section className="dp-card" data-testid="facility" data-facility-id={f.id}>
      <h2 className="dp-h2">{f.name} <small className="dp-muted">{t(`drainageProgramme.facilityType.${f.assetType}`)} · {f.id}</small></h2>
      <div className="dp-columns">
        <div>
          <strong>{t('drainageProgramme.facilities.telemetry')}</strong>
          <table className="page-table">
            <tbody>
              {f.telemetry.map((m) => (
                <tr key={m.sensorId} className={m.alarmLevel ? 'dp-alarm' : undefined}>
                  <td>{t(`indicator.${m.indicator}`, { defaultValue: m.name })}</td>
                  <td className="num">{m.value === null ? '—' : formatValue(m.value, m.unit, lang)}</td>
                  <td className="dp-muted">{m.ts ? time(m.ts, lang) : t('drainageProgramme.noData')}</td>
                </tr>
              ))}
              {f.telemetry.length === 0 && <tr><td>{t('drainageProgramme.noData')}</td></tr>}
            </tbody>
          </table>
        </div>
        <div>
          <strong>{t('drainageProgramme.facilities.onDuty')}</strong>
          <p data-testid="on-duty">{f.onDuty.length ? f.onDuty.map((s) => `${s.staff} (${time(s.startsAt, lang)}–${time(s.endsAt, lang)})`).join('; ') : t('drainageProgramme.facilities.nobody')}</p>
          <strong>{t('drainageProgramme.facilities.patrols')}</strong>
          <ul className="dp-updates">
            {f.patrols.map((p) => (
              <li key={p.id} data-testid="patrol" className={p.alarmId ? 'dp-alarm' : undefined}>
                {p.name} · {patrolInterval(t, p.intervalMinutes)} · {t('drainageProgramme.facilities.nextDue')} {time(p.nextDueAt, lang)}
                {' · '}{p.lastCheckin ? `${t('drainageProgramme.facilities.lastCheckin')} ${time(p.lastCheckin.at, lang)} ${p.lastCheckin.by}` : t('drainageProgramme.facilities.noCheckin')}
                {p.missed24h > 0 && <> · <span className="dp-warn">{t('drainageProgramme.facilities.missed', { count: p.missed24h })}</span></>}
                {' '}<button type="button" onClick={() => void checkIn(p.id)}>{t('drainageProgramme.facilities.checkIn')}</button>
              </li>
            ))}
            {f.patrols.length === 0 && <li>{t('drainageProgramme.facilities.noPatrols')}</li>}
          </ul>
          {failure && <p className="page-error">{failure}</p>}
        </div>
        <div>
          <strong>{t('drainageProgramme.facilities.health')}</strong>
          <p className="dp-muted">
            {t('drainageProgramme.facilities.commissioned')}: {f.health.commissionedOn ?? '—'} · {t('drainageProgramme.facilities.runHours')}: {f.health.runHours === null ? '—' : num(f.health.runHours, 0, lang)}
          </p>
          <ul className="dp-updates">
            {f.health.maintenance.slice(0, 4).map((m) => <li key={`${m.at}${m.description}`}>{new Date(m.at).toLocaleDateString(lang)} · {t(`maintenance.${m.kind}`, { defaultValue: m.kind })} · {m.description}</li>)}
          </ul>
        </div>
      </div>
    </section>
  );
}

/** Gates, lift pump stations and treatment plants: telemetry, who is on duty, patrols, health records. */
/** A patrol's interval as people say it: daily, every 2 hours, every 30 minutes. */
function patrolInterval(t: TFunction, minutes: number): string {
  if (minutes === 1440) return t('drainageProgramme.facilities.everyDay');
  if (minutes % 60 === 0) return t('drainageProgramme.facilities.everyHours', { hours: minutes / 60 });
  return t('drainageProgramme.facilities.every', { minutes });
}

export function FacilitiesPage() {
  const { t } = useTranslation();
  const { data, error, reload } = useLoad(drainageApi.facilities);
  return (
    <div data-testid="facilities-page">
      <div className="page-header"><h1>{t('drainageProgramme.facilities.title')}</h1></div>
      {error && <p className="page-error">{error}</p>}
      {data?.length === 0 && <p>{t('drainageProgramme.facilities.none')}</p>}
      {data?.map((f) => <FacilityCard key={f.id} f={f} onChanged={reload} />)}
    </div>
  );
}
