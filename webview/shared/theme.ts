/**
 * Colours from the editor's theme (`--vscode-*` variables), resolved to RGBA
 * for canvas drawing, and a hook that fires when the user switches theme
 * (VS Code rewrites the body's class and style attributes).
 */
export type Rgba = [number, number, number, number];

let probe: CanvasRenderingContext2D | null = null;

/** Any CSS colour to RGBA (0–255), through a 1×1 canvas. */
export function parseColour(css: string, fallback: Rgba = [128, 128, 128, 255]): Rgba {
  if (!css) return fallback;
  probe ??= document.createElement('canvas').getContext('2d', { willReadFrequently: true });
  if (!probe) return fallback;
  probe.clearRect(0, 0, 1, 1);
  probe.fillStyle = '#00000000';
  probe.fillStyle = css;
  probe.fillRect(0, 0, 1, 1);
  const d = probe.getImageData(0, 0, 1, 1).data;
  // A fully transparent result: not a colour (or a transparent one, useless for drawing).
  return d[3] === 0 ? fallback : [d[0], d[1], d[2], d[3]];
}

/** The value of a theme variable (or the fallback when the page has none). */
export function themeVar(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

/** Blend `c` at `alpha` over the opaque `bg`. */
export function blend(c: Rgba, bg: Rgba, alpha: number): Rgba {
  return [Math.round(c[0] * alpha + bg[0] * (1 - alpha)), Math.round(c[1] * alpha + bg[1] * (1 - alpha)), Math.round(c[2] * alpha + bg[2] * (1 - alpha)), 255];
}

export const rgbaCss = (c: Rgba, a = c[3] / 255) => `rgba(${c[0]}, ${c[1]}, ${c[2]}, ${a})`;

export function isHighContrast(): boolean {
  return document.body.classList.contains('vscode-high-contrast') || document.body.classList.contains('vscode-high-contrast-light');
}

/** Call `fn` (at most once per frame) whenever the theme changes. */
export function onThemeChange(fn: () => void): void {
  let pending = false;
  new MutationObserver(() => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      fn();
    });
  }).observe(document.body, { attributes: true, attributeFilter: ['class', 'style', 'data-vscode-theme-id'] });
}

/** Series colours of the charts, in order. */
export const CHART_VARS = ['--vscode-charts-blue', '--vscode-charts-orange', '--vscode-charts-green', '--vscode-charts-purple', '--vscode-charts-yellow', '--vscode-charts-red'];
export const CHART_FALLBACK = ['#3794ff', '#d18616', '#89d185', '#b180d7', '#cca700', '#f14c4c'];
export const chartColour = (k: number) => themeVar(CHART_VARS[k % CHART_VARS.length], CHART_FALLBACK[k % CHART_FALLBACK.length]);

/** The same mode keeps its colour in every panel. */
export function modeColour(mode: string): string {
  const k = { original: 0, pruning: 1, trannsformer: 2, offline: 3 }[mode] ?? 4;
  return chartColour(k);
}
