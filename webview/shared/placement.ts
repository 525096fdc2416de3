/**
 * Where Chart.js drew every point of a chart (CSS pixels in its canvas) and
 * its plot area, written on the canvas's data attributes: for keyboard and
 * test tools, read from the chart's own elements (what is on screen).
 */
import type { Chart } from 'chart.js';

export function recordPlacement(chart: Chart): void {
  const a = chart.chartArea;
  const canvas = chart.canvas;
  canvas.dataset.area = [a.left, a.top, a.right, a.bottom].map((v) => v.toFixed(1)).join(',');
  const at: [number, number, number, number][] = [];
  chart.data.datasets.forEach((_, k) => {
    chart.getDatasetMeta(k).data.forEach((e, j) => {
      // Gaps between error bars have no position.
      if (Number.isFinite(e.x) && Number.isFinite(e.y)) at.push([k, j, Math.round(e.x * 10) / 10, Math.round(e.y * 10) / 10]);
    });
  });
  canvas.dataset.points = JSON.stringify(at);
}
