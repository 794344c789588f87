/**
 * The report's charts: vega-lite specs built from the run analysis (pure functions, one file per
 * chart), drawn as SVG by render.ts. Every point a reader may ask about carries a hover text; charts
 * come in a wide and a narrow layout; past CHART_BOUNDS they aggregate or sample, and say so.
 */
export { BYTES_PER_PARAMETER, CHART_BOUNDS, PLOT_WIDTH, candidateTip, metricTitle, nearData, type ChartSpec, type Layout } from './shared.js';
export { heatmapColourDomain, heatmapSpec } from './heatmap.js';
export { paretoSpec } from './pareto.js';
export { edgeChoice, latencySpec, sizeSpec } from './edge.js';
export { effectSpec, effectsDomain } from './effects.js';
export { candidateCurvesSpec, curveCandidates, lossTitle } from './curves.js';
export { timeSpec } from './time.js';
export { historySpec, type HistoryPoint } from './history.js';
export { prefixSvgIds, renderSvg, specTitle, svgTitles, untitled } from './render.js';
