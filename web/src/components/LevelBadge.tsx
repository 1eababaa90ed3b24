import { useTranslation } from 'react-i18next';
import type { WarningLevel } from '../api.ts';
import { LEVEL_COLORS } from '../colors.ts';

export function LevelBadge({ level }: { level: WarningLevel }) {
  const { t } = useTranslation();
  return (
    <span
      className={`level-badge level-${level}`}
      style={{ backgroundColor: LEVEL_COLORS[level] }}
      title={t('level.title', { level: t(`level.${level}`), color: t(`level.color${level}`) })}
    >
      {t(`level.${level}`)}
    </span>
  );
}
