// Locale-aware formatting of times and measured values.
const sameDay = (a: Date, b: Date) =>
  a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();

/** Time of day for today's events, date and time for older ones. */
export function formatTime(iso: string, language: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const options: Intl.DateTimeFormatOptions = sameDay(date, new Date())
    ? { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }
    : { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false };
  return new Intl.DateTimeFormat(language, options).format(date);
}

export function formatValue(value: number, unit: string, language: string): string {
  const number = new Intl.NumberFormat(language, { maximumFractionDigits: 2 }).format(value);
  return unit ? `${number} ${unit}` : number;
}

/** A length of time in its largest sensible unit: "3 min", "2.5 h", "4 d". */
export function formatDuration(seconds: number, language: string): string {
  const [value, unit] =
    seconds < 120 ? [seconds, 'second'] : seconds < 7200 ? [seconds / 60, 'minute'] : seconds < 172800 ? [seconds / 3600, 'hour'] : [seconds / 86400, 'day'];
  return new Intl.NumberFormat(language, { style: 'unit', unit, unitDisplay: 'short', maximumFractionDigits: 1 }).format(value);
}
