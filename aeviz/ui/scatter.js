// The latent scatter. plotly.js (the build Streamlit ships) draws the figure it is given; the image
// of the point under the pointer follows the pointer (plotly.js hover labels take text only); a
// click reports the point's customdata, its dataset row. Every image is a tile of one sprite sheet.

let loading = null;
function plotly(src) {
  // Streamlit's plotly.js chunk sets window.Plotly when it first runs (app.py has it run early)
  if (window.Plotly) return Promise.resolve(window.Plotly);
  loading ??= import(new URL(src, document.baseURI).href).then(() => window.Plotly);
  return loading;
}

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

function load(s) {
  if (!s.img.src) s.img.src = s.sprite;
}

function preview(s, ev) {
  s.last = ev;
  load(s);  // hovered before the page was idle
  if (!s.img.complete) return;  // drawn once the sprite has loaded (below), if still hovering
  const p = ev.points && ev.points[0];
  const i = p ? s.index.get(Number(p.customdata)) : undefined;
  if (i === undefined) return;
  const el = box(), ctx = el.getContext("2d"), t = s.tile;
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(s.img, (i % s.cols) * t, Math.floor(i / s.cols) * t, t, t, 0, 0, el.width, el.height);
  // left of the pointer (plotly.js puts its text label on the right), inside the window; a point
  // reached by the keyboard has no pointer: beside the chart's top left corner
  const r = s.gd.getBoundingClientRect();
  const x = ev.event ? ev.event.clientX : r.left + 160, y = ev.event ? ev.event.clientY : r.top + 80;
  el.style.left = `${x >= 136 ? x - 136 : x + 20}px`;
  el.style.top = `${Math.max(4, Math.min(y - 58, innerHeight - 120))}px`;
  el.style.display = "block";
  el.dataset.row = p.customdata;
}

function hide(s) {
  s.last = null;
  box().style.display = "none";
}

async function draw(gd, s, data) {
  let Plotly;
  try {
    Plotly = await plotly(data.src);
  } catch (e) {
    gd.textContent = `plotly.js did not load (${e}): reload the page.`;
    return;
  }
  s.Plotly = Plotly;
  // newPlot, not react: every figure has the same datarevision (aeviz.plots.figure), which tells
  // Plotly.react to keep the data it has. newPlot starts afresh, listeners included.
  await Plotly.newPlot(gd, data.figure.data, data.figure.layout, { ...data.config, responsive: true });
  gd.on("plotly_click", (ev) => ev.points.length && s.setStateValue("row", Number(ev.points[0].customdata)));
  gd.on("plotly_hover", (ev) => preview(s, ev));
  gd.on("plotly_unhover", () => hide(s));
  // every point in turn, for the keyboard: (trace, index in trace, dataset row)
  s.points = data.figure.data.flatMap((t, c) => (t.customdata || []).map((row, i) => [c, i, Number(row)]));
  gd.dataset.ready = data.id;  // drawn and listening (the browser tests wait for it)
}

// The keyboard's way in: the chart takes the focus; arrow keys step from point to point (hover label
// and image shown), Enter or Space picks the point, as a click does.
function key(s, e) {
  if (!s.Plotly || !s.points || !s.points.length) return;
  const n = s.points.length, step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[e.key];
  if (step !== undefined) {
    e.preventDefault();
    s.at = s.at === undefined ? (step > 0 ? 0 : n - 1) : (s.at + step + n) % n;
    const [c, i, row] = s.points[s.at];
    s.Plotly.Fx.hover(s.gd, [{ curveNumber: c, pointNumber: i }]);  // the hover label
    preview(s, { points: [{ customdata: row }] });  // and the image (a programmatic hover emits no event)
    s.gd.setAttribute("aria-label", `${LABEL} Point ${s.at + 1} of ${n}: image #${row}.`);
  } else if ((e.key === "Enter" || e.key === " ") && s.at !== undefined) {
    e.preventDefault();
    s.setStateValue("row", s.points[s.at][2]);
  } else if (e.key === "Escape") {
    s.Plotly.Fx.unhover(s.gd);
    hide(s);
  }
}
const LABEL = "Latent scatter of test images, coloured by class. Arrow keys step through the points; Enter shows one.";

export default function ({ data, parentElement, setStateValue }) {
  let gd = parentElement.querySelector(".aez-scatter");
  if (!gd) {
    gd = document.createElement("div");
    gd.className = "aez-scatter";
    gd.dataset.testid = "aez-scatter";
    gd.tabIndex = 0;
    gd.setAttribute("role", "application");
    gd.setAttribute("aria-roledescription", "scatter plot");
    gd.setAttribute("aria-label", LABEL);
    parentElement.appendChild(gd);
    gd.aez = { gd };
    gd.addEventListener("keydown", (e) => key(gd.aez, e));
  }
  const s = gd.aez;
  s.setStateValue = setStateValue;
  if (s.sprite !== data.sprite) {
    Object.assign(s, { sprite: data.sprite, tile: data.tile, cols: data.cols, index: new Map(data.rows.map((r, i) => [r, i])) });
    s.img = new Image();
    s.img.onload = () => s.last && preview(s, s.last);
    // decoded once the page is idle, not while it is drawn: that cost a page switch ~13 ms here
    requestIdleCallback(() => load(s), { timeout: 2000 });
  }
  if (s.figure !== data.id) {  // a new figure; the same one stays as drawn, its clicked point marked
    s.figure = data.id;
    draw(gd, s, data);
  }
  // called before the next data arrives, and when the page goes on without the chart: then free it
  return () => setTimeout(() => gd.isConnected || (hide(s), s.Plotly && s.Plotly.purge(gd)));
}
