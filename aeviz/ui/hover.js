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
  const p = ev.points && ev.points[0];
  const i = p ? state.index.get(Number(p.customdata)) : undefined;
  if (i === undefined || !state.img.complete) return;
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
  state.img.src = data.sprite;
  const hide = () => { box().style.display = "none"; };
  // plotly.js sets the chart up after this runs, and again whenever the figure changes: attach
  // when the pointer first enters the chart, once per plot
  const enter = (e) => {
    const gd = e.target.closest && e.target.closest(`.st-key-${state.chart} .js-plotly-plot`);
    if (!gd || !gd.on || gd.__aezHover === state) return;
    if (gd.__aezHover) gd.removeAllListeners?.("plotly_hover");
    gd.__aezHover = state;
    gd.on("plotly_hover", (ev) => show(state, ev));
    gd.on("plotly_unhover", hide);
  };
  document.addEventListener("pointerover", enter, true);
  return () => { document.removeEventListener("pointerover", enter, true); hide(); };
}
