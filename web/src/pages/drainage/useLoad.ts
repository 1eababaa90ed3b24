import { useCallback, useEffect, useState } from 'react';

/** Loads once (and on `reload`), keeping the last answer, the error and whether it is loading. */
export function useLoad<T>(load: () => Promise<T>): { data: T | null; error: string | null; reload: () => void } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    load().then((d) => live && (setData(d), setError(null)), (e: unknown) => live && setError(e instanceof Error ? e.message : String(e)));
    return () => {
      live = false;
    };
    // `load` is a stable module function in every caller.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [tick]);
  return { data, error, reload: useCallback(() => setTick((t) => t + 1), []) };
}

export const percent = (v: number | null | undefined, digits = 1) => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(digits)}%`);
export const num = (v: number | null | undefined, digits = 0, lang = 'zh-CN') =>
  v === null || v === undefined ? '—' : v.toLocaleString(lang, { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** GB 3838 class colours, as Chinese water-quality maps draw them (I–II blue … 劣V red). */
export const CLASS_COLOURS: Record<string, string> = { I: '#1e88e5', II: '#42a5f5', III: '#43a047', IV: '#fdd835', V: '#fb8c00', 劣V: '#e53935' };
