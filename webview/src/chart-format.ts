// How the charts write numbers (tooltips, axes) and how a chart leaves as a PNG: small helpers of dashboard-charts.ts.

export const formatValue = (y: number) => (Math.abs(y) >= 1000 ? y.toFixed(0) : y.toPrecision(4));
/** Steps and layers are integers; minutes of wall time get two decimals. */
export const formatX = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(2));

/** Log-axis labels at 1, 2 and 5 × 10ᵏ only, short: "0.02", "5e-7" (Chart.js's own print every float digit). */
export function logTick(value: number | string): string {
  const v = Number(value);
  const mantissa = Math.round(v / 10 ** Math.floor(Math.log10(v)));
  if (![1, 2, 5].includes(mantissa)) return '';
  return v >= 0.01 && v < 1e5 ? String(Number(v.toPrecision(2))) : v.toExponential(0);
}

/** A canvas as a PNG on `background` (Chart.js's canvas is transparent), base64 without the data: prefix. */
export function canvasPng(source: HTMLCanvasElement, background: string): string {
  const out = document.createElement('canvas');
  out.width = source.width;
  out.height = source.height;
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = background;
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.drawImage(source, 0, 0);
  return out.toDataURL('image/png').replace(/^data:image\/png;base64,/, '');
}
