// Progress: a bar (determinate when the total is known, else a calm moving stripe) and the line
// people read beside it: "1,204 of 5,000 files · 38 files/s · about 2 min left". Never 0/0 or NaN:
// an unknown total says so.
import { useT, type Translator } from '../i18n/index.tsx';

export function ProgressBar({ done, total, label, tone = 'accent' }: { done: number; total: number | null; label: string; tone?: 'accent' | 'danger' }) {
  const known = total !== null && total > 0;
  const fraction = known ? Math.min(1, Math.max(0, done / total)) : 0;
  return (
    <div
      className={`c-progress c-progress--${tone}${known ? '' : ' c-progress--indeterminate'}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={known ? total : undefined}
      aria-valuenow={known ? Math.min(done, total) : undefined}
    >
      <div className="c-progress__fill" style={known ? { transform: `scaleX(${fraction})` } : undefined} />
    </div>
  );
}

export type ProgressUnit = 'files' | 'chunks' | 'bytes' | 'messages';

/** "n of m unit · rate · time left", each part only when known. */
export function progressText(tr: Translator, p: { done: number; total: number | null; unit: ProgressUnit; rate?: number | null; etaSeconds?: number | null }): string {
  const { t } = tr;
  // Bytes read as sizes ("1.2 GB"); other units as counts, which the message formats.
  const amount = (n: number) => (p.unit === 'bytes' ? tr.bytes(n) : n);
  const parts = [
    p.total !== null && p.total > 0
      ? t(`progress.of.${p.unit}`, { done: amount(p.done), total: amount(p.total), count: p.total })
      : t(`progress.count.${p.unit}`, { count: p.done, amount: amount(p.done) }),
  ];
  if (p.rate !== null && p.rate !== undefined && p.rate > 0) {
    parts.push(t(`progress.rate.${p.unit}`, { rate: p.unit === 'bytes' ? tr.bytes(p.rate) : tr.number(p.rate, { maximumFractionDigits: p.rate < 10 ? 1 : 0 }) }));
  }
  if (p.etaSeconds !== null && p.etaSeconds !== undefined) parts.push(t('progress.eta', { time: tr.duration(p.etaSeconds) }));
  return parts.join(' · ');
}

export function ProgressLine(props: { done: number; total: number | null; unit: ProgressUnit; rate?: number | null; etaSeconds?: number | null }) {
  const tr = useT();
  return <span className="c-progress-line">{progressText(tr, props)}</span>;
}
