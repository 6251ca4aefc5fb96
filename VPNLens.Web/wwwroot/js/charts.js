// Draws every <canvas data-chart="..."> with Chart.js (wwwroot/lib/chart.js, vendored by tools/npm/vendor.sh). The data
// is decided on the server (VPNLens.Web/Figures/ChartData.cs) and written into the attribute, so a static page (a finished
// run's permalink, no circuit) and a live one draw the same way; a changed attribute redraws its chart.
(() => {
  const text = '#212121';
  const grid = 'rgba(0, 0, 0, 0.12)';
  const font = { size: 13 };
  const number = (value) => Number(value).toLocaleString(undefined, { maximumSignificantDigits: 4 });

  // Whiskers from each bar's lowest to highest repetition.
  const errorBars = {
    id: 'vlErrorBars',
    afterDatasetsDraw(chart) {
      const { ctx, scales: { y } } = chart;
      chart.data.datasets.forEach((dataset, index) => {
        const meta = chart.getDatasetMeta(index);
        if (meta.hidden || !dataset.vlLow) return;
        meta.data.forEach((bar, i) => {
          const low = dataset.vlLow[i];
          const high = dataset.vlHigh[i];
          if (low == null || high == null) return;
          const top = y.getPixelForValue(high);
          const bottom = y.getPixelForValue(low);
          const cap = Math.min(8, bar.width / 3);
          ctx.save();
          ctx.strokeStyle = text;
          ctx.lineWidth = 1.5;
          ctx.beginPath();
          ctx.moveTo(bar.x, top); ctx.lineTo(bar.x, bottom);
          ctx.moveTo(bar.x - cap, top); ctx.lineTo(bar.x + cap, top);
          ctx.moveTo(bar.x - cap, bottom); ctx.lineTo(bar.x + cap, bottom);
          ctx.stroke();
          ctx.restore();
        });
      });
    },
  };

  // Dashed, labelled horizontal lines: direct's figures that the tunnels are measured against.
  const references = {
    id: 'vlReferences',
    afterDraw(chart, args, options) {
      const lines = options.lines || [];
      const { ctx, chartArea, scales: { y } } = chart;
      lines.forEach((line) => {
        const at = y.getPixelForValue(line.value);
        ctx.save();
        ctx.strokeStyle = line.color;
        ctx.setLineDash([6, 4]);
        ctx.lineWidth = 2;
        ctx.beginPath();
        ctx.moveTo(chartArea.left, at); ctx.lineTo(chartArea.right, at);
        ctx.stroke();
        ctx.setLineDash([]);
        ctx.fillStyle = line.color;
        ctx.font = '600 12px system-ui, sans-serif';
        ctx.textAlign = 'right';
        ctx.fillText(line.label, chartArea.right - 4, at - 4);
        ctx.restore();
      });
    },
  };

  const barConfig = (spec) => {
    const highest = Math.max(0, ...spec.series.flatMap((s) => s.high.concat(s.values)).filter((v) => v != null), ...spec.references.map((r) => r.value));
    return {
      type: 'bar',
      data: {
        labels: spec.labels,
        datasets: spec.series.map((s) => ({ label: s.name, data: s.values, backgroundColor: s.color, vlLow: s.low, vlHigh: s.high })),
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: { ticks: { color: text, font }, grid: { display: false } },
          y: { beginAtZero: true, suggestedMax: highest * 1.08, title: { display: true, text: spec.unit, color: text, font }, ticks: { color: text, font }, grid: { color: grid } },
        },
        plugins: {
          legend: { labels: { color: text, font } },
          vlReferences: { lines: spec.references },
          tooltip: {
            callbacks: {
              label: (item) => {
                const s = spec.series[item.datasetIndex];
                const low = s.low[item.dataIndex];
                const high = s.high[item.dataIndex];
                const spread = low == null ? ' (one repetition)' : ` (repetitions ${number(low)} to ${number(high)})`;
                return `${s.name}: ${number(item.raw)} ${spec.unit} median${spread}`;
              },
            },
          },
        },
      },
      plugins: [errorBars, references],
    };
  };

  const lineConfig = (spec) => ({
    type: 'line',
    data: {
      datasets: spec.series.map((s) => ({
        label: s.name, data: s.points, borderColor: s.color, backgroundColor: s.color, stepped: spec.stepped ? 'before' : false,
        pointRadius: 0, pointHitRadius: 6, borderWidth: 2, parsing: { xAxisKey: 'x', yAxisKey: 'y' },
      })),
    },
    options: {
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: 'nearest', intersect: false },
      scales: {
        x: { type: 'linear', title: { display: true, text: spec.xTitle, color: text, font }, ticks: { color: text, font }, grid: { color: grid } },
        y: { min: 0, max: spec.yMax ?? undefined, title: { display: true, text: spec.yTitle, color: text, font }, ticks: { color: text, font }, grid: { color: grid } },
      },
      plugins: {
        legend: { labels: { color: text, font } },
        tooltip: {
          callbacks: {
            title: (items) => (items.length ? `${spec.xTitle}: ${number(items[0].parsed.x)}` : ''),
            label: (item) => (spec.stepped
              ? `${item.dataset.label}: ${number(item.parsed.y * 100)} % of pings at or below ${number(item.parsed.x)} ${spec.unit}`
              : `${item.dataset.label}: ${number(item.parsed.y)} ${spec.unit}`),
          },
        },
      },
    },
  });

  // Dashed vertical lines at the detected change points of a trend chart.
  const changeLines = {
    id: 'vlChangeLines',
    afterDatasetsDraw(chart, args, options) {
      const { ctx, chartArea, scales: { x } } = chart;
      (options.lines || []).forEach((line) => {
        const at = x.getPixelForValue(line.x);
        if (at < chartArea.left || at > chartArea.right) return;
        ctx.save();
        ctx.strokeStyle = line.color;
        ctx.setLineDash([4, 4]);
        ctx.lineWidth = 1.5;
        ctx.beginPath();
        ctx.moveTo(at, chartArea.top); ctx.lineTo(at, chartArea.bottom);
        ctx.stroke();
        ctx.restore();
      });
    },
  };

  const day = (ms) => new Date(ms).toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
  const moment = (ms) => new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

  // Per protocol: the band (low, then high filled down to it), the medians, and the failed runs as crosses on the x axis.
  const trendConfig = (spec) => ({
    type: 'line',
    data: {
      datasets: spec.series.flatMap((s) => [
        { label: `${s.name} spread`, data: s.low, borderWidth: 0, pointRadius: 0, fill: false, vlBand: true },
        { label: `${s.name} spread`, data: s.high, borderWidth: 0, pointRadius: 0, fill: '-1', backgroundColor: `${s.color}33`, vlBand: true },
        { label: s.name, data: s.points, borderColor: s.color, backgroundColor: s.color, borderWidth: 2, pointRadius: 2, pointHitRadius: 6 },
        { label: `${s.name} failed`, data: s.failed.map((x) => ({ x, y: 0 })), showLine: false, pointStyle: 'crossRot', pointRadius: 6, borderColor: s.color, borderWidth: 2 },
      ]),
    },
    options: {
      maintainAspectRatio: false,
      animation: false,
      parsing: { xAxisKey: 'x', yAxisKey: 'y' },
      interaction: { mode: 'nearest', intersect: false },
      scales: {
        x: { type: 'linear', ticks: { color: text, font, maxTicksLimit: 6, callback: (value) => day(value) }, grid: { color: grid } },
        y: { min: 0, max: spec.yMax ?? undefined, title: { display: true, text: spec.unit, color: text, font }, ticks: { color: text, font }, grid: { color: grid } },
      },
      plugins: {
        legend: { labels: { color: text, font, filter: (item, data) => !data.datasets[item.datasetIndex].vlBand && data.datasets[item.datasetIndex].data.length > 0 } },
        vlChangeLines: { lines: spec.series.flatMap((s) => s.changes.map((x) => ({ x, color: s.color }))) },
        tooltip: {
          filter: (item) => !item.dataset.vlBand,
          callbacks: {
            title: (items) => (items.length ? moment(items[0].parsed.x) : ''),
            label: (item) => (item.dataset.label.endsWith(' failed') ? item.dataset.label : `${item.dataset.label}: ${number(item.parsed.y)} ${spec.unit}`),
          },
        },
      },
    },
    plugins: [changeLines],
  });

  // A small line without axes: the shape of the latest results.
  const sparkConfig = (spec) => ({
    type: 'line',
    data: { datasets: [{ data: spec.points, borderColor: spec.color, borderWidth: 1.5, pointRadius: 0, parsing: { xAxisKey: 'x', yAxisKey: 'y' } }] },
    options: {
      maintainAspectRatio: false,
      animation: false,
      events: [],
      scales: { x: { type: 'linear', display: false }, y: { display: false, beginAtZero: true } },
      plugins: { legend: { display: false }, tooltip: { enabled: false } },
    },
  });

  const configs = { bars: barConfig, lines: lineConfig, trend: trendConfig, spark: sparkConfig };

  const draw = (canvas) => {
    const json = canvas.getAttribute('data-chart');
    if (canvas.vlDrawn === json || typeof window.Chart === 'undefined') return;
    canvas.vlDrawn = json;
    if (canvas.vlChart) canvas.vlChart.destroy();
    const spec = JSON.parse(json);
    canvas.vlChart = new window.Chart(canvas, configs[spec.kind](spec));
  };

  let pending = false;
  const drawAll = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      document.querySelectorAll('canvas[data-chart]').forEach(draw);
    });
  };

  const start = () => {
    drawAll();
    new MutationObserver(drawAll).observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-chart'] });
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start); else start();
})();
