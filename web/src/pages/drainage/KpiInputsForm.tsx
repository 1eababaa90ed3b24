import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { drainageApi, type KpiInputs } from '../../api/drainage-programme.ts';
import { useLoad } from './useLoad.ts';

/**
 * The KPI inputs a bureau supervisor or an admin keeps: served population per area and the area
 * each treatment plant serves. Others are refused the inputs (403), and then the form is not shown.
 */
export function KpiInputsForm({ onSaved }: { onSaved: () => void }) {
  const { t } = useTranslation();
  const { data, reload } = useLoad<KpiInputs>(() => drainageApi.kpiInputs());
  const [population, setPopulation] = useState<{ areaId: string; servedPopulation: string; asOf: string }>({ areaId: '', servedPopulation: '', asOf: new Date().toISOString().slice(0, 10) });
  const [service, setService] = useState<{ plantId: string; areaId: string }>({ plantId: '', areaId: '' });
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  if (!data) return null;
  const areaLabel = (id: string) => {
    const a = data.areas.find((x) => x.id === id);
    return a ? `${a.name} (${t(`drainageProgramme.kind.${a.kind}`)})` : id;
  };
  const saved = (text: string) => {
    setMessage({ ok: true, text });
    reload();
    onSaved();
  };
  const failed = (e: unknown) => setMessage({ ok: false, text: e instanceof Error ? e.message : String(e) });
  const submitPopulation = (e: FormEvent) => {
    e.preventDefault();
    const areaId = population.areaId || data.areas[0]?.id || '';
    drainageApi.setPopulation({ areaId, servedPopulation: Number(population.servedPopulation), asOf: population.asOf })
      .then(() => saved(t('kpiInputs.populationSaved', { area: areaLabel(areaId) })), failed);
  };
  const submitService = (e: FormEvent) => {
    e.preventDefault();
    const plantId = service.plantId || data.plants[0]?.id || '';
    const areaId = service.areaId || data.areas[0]?.id || '';
    drainageApi.setPlantService({ plantId, areaId }).then(() => saved(t('kpiInputs.serviceSaved', { plant: plantId, area: areaLabel(areaId) })), failed);
  };
  const selectedArea = data.areas.find((a) => a.id === (population.areaId || data.areas[0]?.id));
  return (
    <section data-testid="kpi-inputs">
      <h2 className="dp-h2">{t('kpiInputs.title')}</h2>
      <form className="page-actions" onSubmit={submitPopulation} data-testid="kpi-population-form">
        <label>{t('kpiInputs.area')} <select data-testid="kpi-population-area" value={population.areaId || data.areas[0]?.id} onChange={(e) => setPopulation((p) => ({ ...p, areaId: e.target.value }))}>
          {data.areas.map((a) => <option key={a.id} value={a.id}>{areaLabel(a.id)}</option>)}
        </select></label>
        <label>{t('kpiInputs.servedPopulation')} <input type="number" min={0} step={1} required data-testid="kpi-population-value" value={population.servedPopulation}
          placeholder={selectedArea?.servedPopulation === null || selectedArea === undefined ? '' : String(selectedArea.servedPopulation)}
          onChange={(e) => setPopulation((p) => ({ ...p, servedPopulation: e.target.value }))} /></label>
        <label>{t('kpiInputs.asOf')} <input type="date" required data-testid="kpi-population-asof" value={population.asOf} onChange={(e) => setPopulation((p) => ({ ...p, asOf: e.target.value }))} /></label>
        <button type="submit" className="dp-button" data-testid="kpi-population-save">{t('kpiInputs.save')}</button>
      </form>
      <form className="page-actions" onSubmit={submitService} data-testid="kpi-service-form">
        <label>{t('kpiInputs.plant')} <select data-testid="kpi-service-plant" value={service.plantId || data.plants[0]?.id} onChange={(e) => setService((s) => ({ ...s, plantId: e.target.value }))}>
          {data.plants.map((p) => <option key={p.id} value={p.id}>{p.name ?? p.id} · {p.areaId ? areaLabel(p.areaId) : t('kpiInputs.noArea')}</option>)}
        </select></label>
        <label>{t('kpiInputs.serves')} <select data-testid="kpi-service-area" value={service.areaId || data.areas[0]?.id} onChange={(e) => setService((s) => ({ ...s, areaId: e.target.value }))}>
          {data.areas.map((a) => <option key={a.id} value={a.id}>{areaLabel(a.id)}</option>)}
        </select></label>
        <button type="submit" className="dp-button" data-testid="kpi-service-save">{t('kpiInputs.save')}</button>
      </form>
      {message && <p className={message.ok ? 'dp-muted' : 'page-error'} data-testid="kpi-inputs-message" role="status">{message.text}</p>}
    </section>
  );
}
