// The image of the scatter point under the pointer, in a box that follows it: plotly.js hover
// labels take text only. Every image is a tile of one sprite sheet, looked up by the point's
// customdata (its dataset row). Listens on the chart whose Streamlit key it is given.

function box() {
  let el = document.getElementById("aez-hover");
  if (!el) {
    el = document.createElement("canvas");
    el.id = "aez-hover";
    el.dataset.testid = "aez-hover";
    el.width = el.height = 112;
    el.style.cssText = "position:fixed;z-index:1000;pointer-events:none;display:none;image-rendering:pixelated;" +
      "border:2px solid #fff;border-radius:4px;box-shadow:0 2px 8px rgba(0,0,0,.35);background:#000";
    document.body.appendChild(el);
  }
  return el;
}

function show(state, ev) {
  state.last = ev;
  if (!state.img.complete) return;  // drawn once the sprite has loaded (below), if still hovering
  const p = ev.points && ev.points[0];
  const i = p ? state.index.get(Number(p.customdata)) : undefined;
  if (i === undefined) return;
  const el = box(), ctx = el.getContext("2d"), t = state.tile;
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(state.img, (i % state.cols) * t, Math.floor(i / state.cols) * t, t, t, 0, 0, el.width, el.height);
  // left of the pointer (plotly.js puts its text label on the right), inside the window
  const x = ev.event.clientX, y = ev.event.clientY;
  el.style.left = `${x >= 136 ? x - 136 : x + 20}px`;
  el.style.top = `${Math.max(4, Math.min(y - 58, innerHeight - 120))}px`;
  el.style.display = "block";
  el.dataset.row = p.customdata;
}

export default function ({ data }) {
  const state = { chart: data.chart, tile: data.tile, cols: data.cols, img: new Image(),
                  index: new Map(data.rows.map((r, i) => [r, i])) };
  const hide = () => { state.last = null; box().style.display = "none"; };
  const onHover = (ev) => show(state, ev);
  state.img.onload = () => state.last && show(state, state.last);
  state.img.src = data.sprite;
  // plotly.js sets the chart's plot up before or after this runs, anew whenever its figure
  // changes, and may drop its listeners when it does: (re)attach whenever the pointer moves over it
  const attached = new Set();
  const attach = (gd) => {
    if (!gd || !gd._ev || gd._ev.listeners("plotly_hover").includes(onHover)) return;  // _ev: plotly.js's emitter
    gd.on("plotly_hover", onHover);
    gd.on("plotly_unhover", hide);
    attached.add(gd);
  };
  const selector = `.st-key-${state.chart} .js-plotly-plot`;
  attach(document.querySelector(selector));
  document.body.dataset.aezHover = state.chart;  // ready (the browser tests wait for it)
  const move = (e) => attach(e.target.closest && e.target.closest(selector));
  document.addEventListener("pointermove", move, true);
  return () => {  // unmounted, or about to run again with other data (another dataset's images)
    document.removeEventListener("pointermove", move, true);
    attached.forEach((gd) => { gd.removeListener("plotly_hover", onHover); gd.removeListener("plotly_unhover", hide); });
    hide();
  };
}
