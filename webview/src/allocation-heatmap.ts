// The allocation as heatmaps on a canvas (so Export PNG takes it as drawn): one small grid per task and one for
// the cooperative block, a row per layer and a column per module kind, each cell filled in its block's colour
// with opacity r / r_max and its rank written in it when the cell is wide enough. Panels wrap to the width.
import type { AllocationGrid } from './allocation-series';
import type { ThemeColors } from './theme-colors';

const minPanelWidth = 150;
const gap = 12;
const titleHeight = 16;
const rowLabelWidth = 22;
const cellHeight = 16;

/** Panels per row for a canvas `width` CSS pixels wide. */
export function heatmapColumns(width: number, panels: number): number {
  return Math.max(1, Math.min(panels, Math.floor((width + gap) / (minPanelWidth + gap))));
}

/** The CSS height the heatmaps need at `width`. */
export function heatmapHeight(grid: AllocationGrid, width: number): number {
  const columns = heatmapColumns(width, grid.grids.length);
  const rows = Math.ceil(grid.grids.length / columns);
  return rows * (titleHeight + grid.layers.length * cellHeight) + (rows - 1) * gap + 4;
}

/** The cell under a point (CSS pixels on the canvas), as words for the canvas's tooltip. */
export function heatmapCellAt(grid: AllocationGrid, width: number, x: number, y: number): string | undefined {
  const columns = heatmapColumns(width, grid.grids.length);
  const panelWidth = (width - (columns - 1) * gap) / columns;
  const panelHeight = titleHeight + grid.layers.length * cellHeight;
  const p = Math.floor(y / (panelHeight + gap)) * columns + Math.floor(x / (panelWidth + gap));
  const i = Math.floor((y % (panelHeight + gap) - titleHeight) / cellHeight);
  const j = Math.floor((x % (panelWidth + gap) - rowLabelWidth) / ((panelWidth - rowLabelWidth) / Math.max(1, grid.kinds.length)));
  const g = grid.grids[p];
  const rank = g?.ranks[i]?.[j];
  if (rank === null || rank === undefined) return undefined;
  return `${g.name}: layer ${grid.layers[i]} ${grid.kinds[j]}, ${p === grid.grids.length - 1 ? 'r_c' : 'r_t'} = ${rank}`;
}

export function drawAllocationHeatmap(canvas: HTMLCanvasElement, grid: AllocationGrid, colors: ThemeColors): void {
  const width = canvas.parentElement?.clientWidth || 300;
  const height = heatmapHeight(grid, width);
  const dpr = window.devicePixelRatio || 1;
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  canvas.width = Math.round(width * dpr);
  canvas.height = Math.round(height * dpr);
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  const columns = heatmapColumns(width, grid.grids.length);
  const panelWidth = (width - (columns - 1) * gap) / columns;
  const cellWidth = (panelWidth - rowLabelWidth) / Math.max(1, grid.kinds.length);
  const panelHeight = titleHeight + grid.layers.length * cellHeight;
  ctx.font = `11px ${colors.font}`;
  ctx.textBaseline = 'middle';
  grid.grids.forEach((g, p) => {
    const x0 = (p % columns) * (panelWidth + gap);
    const y0 = Math.floor(p / columns) * (panelHeight + gap);
    const cooperative = p === grid.grids.length - 1;
    const fill = cooperative ? colors.foreground : colors.palette[p % colors.palette.length];
    ctx.fillStyle = colors.foreground;
    ctx.textAlign = 'left';
    ctx.fillText(cooperative ? 'cooperative (r_c)' : `${g.name} (r_t)`, x0, y0 + titleHeight / 2);
    grid.layers.forEach((layer, i) => {
      const y = y0 + titleHeight + i * cellHeight;
      ctx.globalAlpha = 1;
      ctx.fillStyle = colors.foreground;
      ctx.textAlign = 'right';
      ctx.fillText(layer < 0 ? '–' : String(layer), x0 + rowLabelWidth - 4, y + cellHeight / 2);
      grid.kinds.forEach((_, j) => {
        const rank = g.ranks[i][j];
        if (rank === null) return;
        const x = x0 + rowLabelWidth + j * cellWidth;
        ctx.globalAlpha = 0.12 + 0.88 * (rank / grid.maxRank);
        ctx.fillStyle = fill;
        ctx.fillRect(x + 0.5, y + 0.5, cellWidth - 1, cellHeight - 1);
        if (cellWidth >= 16) {
          ctx.globalAlpha = 1;
          ctx.fillStyle = rank / grid.maxRank > 0.55 ? colors.background : colors.foreground;
          ctx.textAlign = 'center';
          ctx.fillText(String(rank), x + cellWidth / 2, y + cellHeight / 2);
        }
      });
    });
  });
  ctx.globalAlpha = 1;
}
