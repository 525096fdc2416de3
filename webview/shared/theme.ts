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

/** Series colours on paper (exports): Light Modern's chart colours, whatever the editor's theme. */
export const PRINT_COLOURS = ['#1a85ff', '#d18616', '#388a34', '#652d90', '#bf8803', '#e51400'];

const modeIndex = (mode: string) => ({ original: 0, pruning: 1, trannsformer: 2, offline: 3 })[mode] ?? 4;

/** The same mode keeps its colour in every panel (and on paper: `print`). */
export function modeColour(mode: string, print = false): string {
  return print ? PRINT_COLOURS[modeIndex(mode)] : chartColour(modeIndex(mode));
}

/** Relative luminance (0 black … 1 white) of an sRGB colour. */
export function luminance(c: Rgba): number {
  const lin = (v: number) => ((v /= 255) <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
  return 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2]);
}

function hsl(h: number, s: number, l: number): Rgba {
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    return Math.round(255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4), 255];
}

/**
 * Colour k of as many as needed (clusters): hues a golden angle apart over
 * 20°–330° (red is left to unclustered synapses), two lightness levels taken
 * in turn, light on a dark background and dark on a light one.
 */
export function manyColour(k: number, darkBackground: boolean, highContrast = false): Rgba {
  const hue = 20 + ((k * 0.3819660112501051) % 1) * 310;
  const sat = highContrast ? 0.9 : darkBackground ? 0.7 : 0.75;
  let l = highContrast ? (darkBackground ? (k % 2 ? 0.6 : 0.72) : k % 2 ? 0.42 : 0.3) : darkBackground ? (k % 2 ? 0.56 : 0.68) : k % 2 ? 0.5 : 0.38;
  // Yellows are bright and blues dark at the same lightness: at least 3:1 contrast with a white or near-black background.
  let c = hsl(hue, sat, l);
  for (let i = 0; i < 30 && (darkBackground ? luminance(c) < 0.15 : luminance(c) > 0.3); i++) c = hsl(hue, sat, (l += darkBackground ? 0.02 : -0.02));
  return c;
}
