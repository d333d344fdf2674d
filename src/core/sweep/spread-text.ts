// How a sweep's values and numbers are written, the same in results.md and in the dashboard's sweep table:
// strings as they are, other values as JSON; "74.8 ± 2.5", a single value without ±, "–" for none, a real minus.
import type { Spread } from '../../protocol/sweep-results';

export const valueText = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

export const numberText = (x: number | undefined, digits: number, scale = 1) => (x === undefined ? '–' : (x * scale).toFixed(digits).replace(/^-/, '−'));

/** mean ± std (× scale), with the number of values (pairs) in parentheses when `showCount`. */
export function spreadText(s: Spread | undefined, digits: number, scale = 1, showCount = false): string {
  if (!s || s.n === 0) return '–';
  const body = s.std === undefined ? numberText(s.mean, digits, scale) : `${numberText(s.mean, digits, scale)} ± ${numberText(s.std, digits, scale)}`;
  return showCount ? `${body} (${s.n})` : body;
}
