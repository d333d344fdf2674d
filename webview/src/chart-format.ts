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

export interface PngLegendEntry {
  label: string;
  color: string;
  dashed: boolean;
}

export interface PngFrame {
  title: string;
  /** The series shown, as the legend lists them (hidden ones left out). */
  legend: readonly PngLegendEntry[];
  background: string;
  foreground: string;
  font: string;
}

/**
 * A chart as a PNG that stands on its own: its title and legend (the page draws both in HTML, outside the
 * canvas) above the plot, on `background` (Chart.js's canvas is transparent); base64 without the data: prefix.
 * Sizes follow the canvas's device pixels, so a HiDPI export keeps its sharpness.
 */
export function canvasPng(source: HTMLCanvasElement, frame: PngFrame): string {
  const scale = source.clientWidth > 0 ? source.width / source.clientWidth : 1;
  const pad = 8 * scale;
  const titleSize = 13 * scale;
  const legendSize = 11 * scale;
  const swatchWidth = 14 * scale;
  const measure = document.createElement('canvas').getContext('2d')!;
  measure.font = `${legendSize}px ${frame.font}`;
  // Legend entries flow left to right, wrapping at the canvas's width.
  const rows: { entry: PngLegendEntry; x: number; row: number }[] = [];
  let x = pad;
  let row = 0;
  for (const entry of frame.legend) {
    const width = swatchWidth + 4 * scale + measure.measureText(entry.label).width + 12 * scale;
    if (x + width > source.width - pad && x > pad) {
      row++;
      x = pad;
    }
    rows.push({ entry, x, row });
    x += width;
  }
  const lineHeight = legendSize * 1.5;
  const legendHeight = frame.legend.length ? (row + 1) * lineHeight : 0;
  // Whole pixels: the plot is copied at an integer offset, unresampled.
  const header = Math.ceil(pad + titleSize * 1.4 + legendHeight + pad / 2);
  const out = document.createElement('canvas');
  out.width = source.width;
  out.height = source.height + header;
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = frame.background;
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.fillStyle = frame.foreground;
  ctx.textBaseline = 'middle';
  ctx.font = `600 ${titleSize}px ${frame.font}`;
  ctx.fillText(frame.title, pad, pad + titleSize * 0.7);
  ctx.font = `${legendSize}px ${frame.font}`;
  for (const { entry, x: left, row: r } of rows) {
    const y = pad + titleSize * 1.4 + r * lineHeight + lineHeight / 2;
    ctx.strokeStyle = entry.color;
    ctx.lineWidth = 2 * scale;
    ctx.setLineDash(entry.dashed ? [4 * scale, 2 * scale] : []);
    ctx.beginPath();
    ctx.moveTo(left, y);
    ctx.lineTo(left + swatchWidth, y);
    ctx.stroke();
    ctx.fillStyle = frame.foreground;
    ctx.fillText(entry.label, left + swatchWidth + 4 * scale, y);
  }
  ctx.setLineDash([]);
  ctx.drawImage(source, 0, header);
  return out.toDataURL('image/png').replace(/^data:image\/png;base64,/, '');
}
