import { useTranslation } from 'react-i18next';
import type { DeadLetterDto } from '../api.ts';
import { formatTime } from '../format.ts';

const SHOWN = 20;

export function DeadLetters({ deadLetters }: { deadLetters: DeadLetterDto[] }) {
  const { t, i18n } = useTranslation();
  return (
    <details className="panel-section dead-letters">
      <summary>
        <h2>{t('deadLetters.heading', { count: deadLetters.length })}</h2>
      </summary>
      {deadLetters.length === 0 ? (
        <p className="empty">{t('deadLetters.empty')}</p>
      ) : (
        <ul className="list">
          {deadLetters.slice(0, SHOWN).map((d) => (
            <li key={d.id} className="dead-letter" title={d.payload}>
              <div className="item-row">
                <span className="item-title">{d.deviceId ?? t('deadLetters.unknownDevice')}</span>
                <time className="item-time" dateTime={d.receivedAt}>
                  {formatTime(d.receivedAt, i18n.language)}
                </time>
              </div>
              <div className="item-detail">{d.reason}</div>
              <code className="payload">{d.payload}</code>
            </li>
          ))}
        </ul>
      )}
    </details>
  );
}
