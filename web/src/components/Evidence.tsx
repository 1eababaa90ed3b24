// The evidence of an incident: thumbnails of its photos (each opens the original), files by name,
// with the location stamp and who sent it. Loaded when shown, and again when the incident changes.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { evidenceApi, type Attachment } from '../api/evidence.ts';
import { formatTime } from '../format.ts';
import './Evidence.css';

export function Evidence({ incidentId, version }: { incidentId: string; version: string }) {
  const { t, i18n } = useTranslation();
  const [attachments, setAttachments] = useState<Attachment[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    evidenceApi.list(incidentId).then((list) => live && setAttachments(list), (e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [incidentId, version]);

  if (error) return <p className="error">{t('evidence.failed', { message: error })}</p>;
  if (!attachments || attachments.length === 0) return null;
  return (
    <div className="evidence" data-testid="evidence">
      <h3>{t('evidence.heading', { count: attachments.length })}</h3>
      <ul>
        {attachments.map((a) => (
          <li key={a.id} data-testid="evidence-item" data-sha256={a.sha256}>
            <a href={evidenceApi.originalUrl(incidentId, a.id)} target="_blank" rel="noreferrer">
              {a.mediaType.startsWith('image/')
                ? <img src={evidenceApi.thumbnailUrl(incidentId, a.id)} alt={a.fileName ?? t('evidence.photo')} loading="lazy" data-testid="evidence-thumbnail" />
                : <span className="evidence-file">{a.fileName ?? t('evidence.file')}</span>}
            </a>
            <div className="evidence-meta">
              {a.location ? (
                <span data-testid="evidence-location">
                  {t('evidence.location', { lon: a.location.lon.toFixed(5), lat: a.location.lat.toFixed(5) })}
                  {a.location.accuracy !== null && ` ±${Math.round(a.location.accuracy)} m`}
                </span>
              ) : <span>{t('evidence.noLocation')}</span>}
              <span>{t('evidence.by', { name: a.uploaderName, time: formatTime(a.location?.takenAt ?? a.uploadedAt, i18n.language) })}</span>
              {a.disposalSeq !== null && <span className="evidence-cited">{t('evidence.cited')}</span>}
              <code title={a.sha256}>SHA-256 {a.sha256.slice(0, 12)}…</code>
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}
