// Chart colours come from the VS Code theme (--vscode-charts-* and friends), read again on theme change;
// the fallbacks are VS Code's Dark+ values, used when the page runs outside VS Code (browser tests).
export interface ThemeColors {
  foreground: string;
  /** The page's background: text on a full-colour heatmap cell, the fill behind an exported PNG. */
  background: string;
  grid: string;
  font: string;
  palette: string[];
}

const paletteVariables: [string, string][] = [
  ['--vscode-charts-blue', '#3794ff'],
  ['--vscode-charts-orange', '#d18616'],
  ['--vscode-charts-green', '#89d185'],
  ['--vscode-charts-purple', '#b180d7'],
  ['--vscode-charts-red', '#f14c4c'],
  ['--vscode-charts-yellow', '#cca700'],
];
/**
 * VS Code names six chart colours; four tasks give six pairs and twelve per-layer series, so six more hues
 * (VS Code's terminal ANSI colours, themable too) keep every task and pair its own colour.
 */
const extraPaletteVariables: [string, string][] = [
  ['--vscode-terminal-ansiCyan', '#11a8cd'],
  ['--vscode-terminal-ansiBrightMagenta', '#d670d6'],
  ['--vscode-terminal-ansiBrightGreen', '#23d18b'],
  ['--vscode-terminal-ansiBrightRed', '#f14c4c'],
  ['--vscode-terminal-ansiBrightBlue', '#3b8eea'],
  ['--vscode-terminal-ansiBrightYellow', '#f5f543'],
];

function cssVariable(style: CSSStyleDeclaration, name: string, fallback: string): string {
  const value = style.getPropertyValue(name).trim();
  return value === '' ? fallback : value;
}

/** A theme may give two variables one colour (high contrast does): each colour once, so series stay apart. */
function distinct(colors: string[]): string[] {
  return [...new Set(colors.map((c) => c.toLowerCase()))];
}

export function readThemeColors(): ThemeColors {
  const style = getComputedStyle(document.body);
  return {
    foreground: cssVariable(style, '--vscode-charts-foreground', cssVariable(style, '--vscode-foreground', '#cccccc')),
    background: cssVariable(style, '--vscode-sideBar-background', cssVariable(style, '--vscode-editor-background', '#1e1e1e')),
    grid: cssVariable(style, '--vscode-charts-lines', 'rgba(128, 128, 128, 0.35)'),
    font: cssVariable(style, '--vscode-font-family', 'sans-serif'),
    palette: distinct([...paletteVariables, ...extraPaletteVariables].map(([name, fallback]) => cssVariable(style, name, fallback))),
  };
}

/** VS Code swaps body classes (vscode-light / vscode-dark / vscode-high-contrast) when the theme changes. */
export function onThemeChange(listener: () => void): void {
  new MutationObserver(listener).observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-kind'] });
}
