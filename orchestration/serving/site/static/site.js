// Draws every chart of the page from the Vega-Lite spec embedded beside it (vega-embed, shipped in assets/).
// An error is logged to the console, where the browser test looks for it, and said in the chart's place.
for (const script of document.querySelectorAll("script.chart-spec")) {
  const target = document.getElementById(script.dataset.target);
  vegaEmbed(target, JSON.parse(script.textContent), {
    renderer: "svg",
    actions: { export: true, source: false, compiled: false, editor: false },
  }).catch((error) => {
    target.textContent = "This chart could not be drawn: " + error;
    console.error(error);
  });
}
