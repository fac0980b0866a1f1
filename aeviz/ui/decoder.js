// A tiny decoder that runs in the browser: the forward pass of an exported aeviz decoder
// (aeviz/webdecoder.py), redrawn on every `input` event of its own range sliders.
// No libraries, nothing fetched: the weights arrive in the component's data.

function f32(b64) {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}

export function prepare(spec) {
  for (const L of spec.layers) {
    if (L.w !== undefined && !L.W) { L.W = f32(L.w); L.B = f32(L.b); }
  }
  return spec;
}

// z: array of numbers -> {data: Float32Array (C*H*W), shape: [C, H, W]}
export function forward(spec, z) {
  let h = Float32Array.from(z);
  let shape = [h.length];
  for (const L of spec.layers) {
    switch (L.op) {
      case "linear": {
        const out = new Float32Array(L.out), W = L.W, n = L.in;
        for (let o = 0; o < L.out; o++) {
          let s = L.B[o];
          const row = o * n;
          for (let i = 0; i < n; i++) s += W[row + i] * h[i];
          out[o] = s;
        }
        h = out; shape = [L.out];
        break;
      }
      case "relu": for (let i = 0; i < h.length; i++) if (h[i] < 0) h[i] = 0; break;
      case "sigmoid": for (let i = 0; i < h.length; i++) h[i] = 1 / (1 + Math.exp(-h[i])); break;
      case "tanh": for (let i = 0; i < h.length; i++) h[i] = Math.tanh(h[i]); break;
      case "reshape": shape = L.shape.slice(); break;
      case "upsample": case "nails": {
        const [C, H, W] = shape, out = new Float32Array(C * 4 * H * W);
        for (let c = 0; c < C; c++) for (let y = 0; y < 2 * H; y++) for (let x = 0; x < 2 * W; x++) {
          if (L.op === "nails" && (y % 2 || x % 2)) continue;
          out[(c * 2 * H + y) * 2 * W + x] = h[(c * H + (y >> 1)) * W + (x >> 1)];
        }
        h = out; shape = [C, 2 * H, 2 * W];
        break;
      }
      case "convT": {  // weight (Cin, Cout, k, k), no padding: out = (H - 1) * s + k
        const [C, H, W] = shape, k = L.k, s = L.s, Ho = (H - 1) * s + k, Wo = (W - 1) * s + k;
        const out = new Float32Array(L.cout * Ho * Wo);
        for (let o = 0; o < L.cout; o++) out.fill(L.B[o], o * Ho * Wo, (o + 1) * Ho * Wo);
        for (let ci = 0; ci < C; ci++) for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
          const v = h[(ci * H + y) * W + x];
          if (v === 0) continue;
          for (let o = 0; o < L.cout; o++) {
            const wb = ((ci * L.cout + o) * k) * k, ob = o * Ho * Wo;
            for (let ky = 0; ky < k; ky++) for (let kx = 0; kx < k; kx++)
              out[ob + (y * s + ky) * Wo + x * s + kx] += v * L.W[wb + ky * k + kx];
          }
        }
        h = out; shape = [L.cout, Ho, Wo];
        break;
      }
      case "conv": {  // weight (Cout, Cin, k, k), stride 1, zero padding `pad`
        const [C, H, W] = shape, k = L.k, p = L.pad, Ho = H + 2 * p - k + 1, Wo = W + 2 * p - k + 1;
        const out = new Float32Array(L.cout * Ho * Wo);
        for (let o = 0; o < L.cout; o++) for (let y = 0; y < Ho; y++) for (let x = 0; x < Wo; x++) {
          let s = L.B[o];
          for (let ci = 0; ci < C; ci++) for (let ky = 0; ky < k; ky++) {
            const yy = y + ky - p;
            if (yy < 0 || yy >= H) continue;
            for (let kx = 0; kx < k; kx++) {
              const xx = x + kx - p;
              if (xx < 0 || xx >= W) continue;
              s += h[(ci * H + yy) * W + xx] * L.W[((o * C + ci) * k + ky) * k + kx];
            }
          }
          out[(o * Ho + y) * Wo + x] = s;
        }
        h = out; shape = [L.cout, Ho, Wo];
        break;
      }
      default: throw new Error("unknown layer " + L.op);
    }
  }
  return { data: h, shape: spec.shape };
}

function draw(canvas, img) {
  // (1, H, W) gray or (3, H, W) colour, values in [0, 1]
  const [C, H, W] = img.shape, ctx = canvas.getContext("2d"), n = H * W;
  const pixels = ctx.createImageData(W, H);
  const at = (i) => Math.max(0, Math.min(255, Math.round(img.data[i] * 255)));
  for (let i = 0; i < n; i++) {
    pixels.data[4 * i] = at(i);
    pixels.data[4 * i + 1] = at(C === 3 ? n + i : i);
    pixels.data[4 * i + 2] = at(C === 3 ? 2 * n + i : i);
    pixels.data[4 * i + 3] = 255;
  }
  canvas.width = W; canvas.height = H;  // CSS scales it up, crisp (image-rendering: pixelated)
  ctx.putImageData(pixels, 0, 0);
}

function sliders(root, data, spec, setStateValue) {
  const canvas = root.querySelector("canvas.aez-canvas");
  const render = (t0) => {
    draw(canvas, forward(spec, root.z));
    canvas.setAttribute("aria-label", `image decoded from z = (${root.z.map((v) => v.toFixed(2)).join(", ")})`);
    root.decodes += 1;
    canvas.dataset.decodes = root.decodes;
    if (t0 !== undefined) window.__aezLatency.push(performance.now() - t0);
  };
  // rebuild the sliders when the model or the starting code changes (a new nonce from Python)
  if (root.nonce !== data.nonce || root.sliderSpec !== data.spec.id) {
    root.nonce = data.nonce; root.sliderSpec = data.spec.id;
    root.z = data.z0.slice();
    const box = root.querySelector(".aez-controls");
    box.innerHTML = "";
    root.z.forEach((v, i) => {
      const row = document.createElement("label");
      row.className = "aez-row";
      const name = String((data.labels && data.labels[i]) || `z${i + 1}`);
      // nodes with textContent and attributes, never markup: a label is text, whatever it holds
      const label = document.createElement("span"), input = document.createElement("input"), out = document.createElement("span");
      label.className = "aez-name"; label.textContent = name;
      Object.assign(input, { type: "range", min: String(data.lo), max: String(data.hi), step: "0.01", value: String(v) });
      input.dataset.dim = String(i); input.setAttribute("aria-label", name);
      out.className = "aez-value"; out.textContent = v.toFixed(2);
      row.append(label, input, out);
      input.addEventListener("input", (e) => {
        root.z[i] = parseFloat(input.value);
        out.textContent = root.z[i].toFixed(2);
        render(e.timeStamp);  // event time -> pixels written
      });
      input.addEventListener("change", () => setStateValue("z", root.z.slice()));  // on release (and on each arrow key)
      box.appendChild(row);
    });
  }
  render();
}

// 2-D latent plane: the codes as dots; hovering or dragging anywhere decodes that point, and so do
// the arrow keys once the plane has the focus (Enter sends the point to Python, as a release does)
function plane(root, data, spec, setStateValue) {
  const box = root.querySelector(".aez-controls");
  const canvas = root.querySelector("canvas.aez-canvas");
  if (root.planeSpec !== data.spec.id || root.nonce !== data.nonce) {
    root.planeSpec = data.spec.id; root.nonce = data.nonce;
    box.innerHTML = '<canvas class="aez-plane" width="360" height="360" data-testid="aez-plane" tabindex="0" ' +
      'role="application" aria-roledescription="latent plane" ' +
      'aria-label="Latent plane: move the pointer, or use the arrow keys, to decode that point; Enter keeps it"></canvas>' +
      '<div class="aez-value aez-at" aria-live="polite"></div>';
    const P = box.querySelector("canvas"), ctx = P.getContext("2d"), [x0, x1, y0, y1] = data.extent;
    const toPx = (x, y) => [(x - x0) / (x1 - x0) * P.width, (1 - (y - y0) / (y1 - y0)) * P.height];
    ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, P.width, P.height);
    data.points.forEach(([x, y, c]) => {
      const [px, py] = toPx(x, y);
      ctx.fillStyle = data.palette[c % data.palette.length];
      ctx.fillRect(px - 1.5, py - 1.5, 3, 3);
    });
    const dots = ctx.getImageData(0, 0, P.width, P.height);
    const at = box.querySelector(".aez-at");
    const decode = (z, t0) => {
      root.z = z;
      draw(canvas, forward(spec, z));
      root.decodes += 1;
      canvas.dataset.decodes = root.decodes;
      if (t0 !== undefined) window.__aezLatency.push(performance.now() - t0);
      at.textContent = `z = (${z[0].toFixed(2)}, ${z[1].toFixed(2)})`;
      canvas.setAttribute("aria-label", `image decoded from ${at.textContent}`);
      ctx.putImageData(dots, 0, 0);  // the dots, then a cross where z is
      const [px, py] = toPx(z[0], z[1]);
      ctx.strokeStyle = "#000"; ctx.lineWidth = 2;
      ctx.beginPath(); ctx.moveTo(px - 8, py); ctx.lineTo(px + 8, py); ctx.moveTo(px, py - 8); ctx.lineTo(px, py + 8); ctx.stroke();
    };
    const decodeAt = (e) => {
      const r = P.getBoundingClientRect();
      decode([x0 + (e.clientX - r.left) / r.width * (x1 - x0), y1 - (e.clientY - r.top) / r.height * (y1 - y0)], e.timeStamp);
    };
    P.addEventListener("pointermove", decodeAt);
    P.addEventListener("pointerdown", decodeAt);
    P.addEventListener("pointerup", () => setStateValue("z", root.z.slice()));
    const step = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] };
    P.addEventListener("keydown", (e) => {
      if (e.key === "Enter") { setStateValue("z", root.z.slice()); e.preventDefault(); return; }
      const d = step[e.key];
      if (!d) return;
      e.preventDefault();  // the page does not scroll
      const k = e.shiftKey ? 0.1 : 0.025;  // of the plane's width per key press
      const z = [root.z[0] + d[0] * k * (x1 - x0), root.z[1] + d[1] * k * (y1 - y0)];
      decode([Math.min(x1, Math.max(x0, z[0])), Math.min(y1, Math.max(y0, z[1]))], e.timeStamp);
    });
    root.z = data.z0.slice();
    decode(root.z);
    return;
  }
  draw(canvas, forward(spec, root.z));
}

// a small drawing pad: white ink on black, sent to Python as a PNG data URL when the stroke ends
function pad(root, data, setStateValue) {
  if (root.padReady && root.nonce === data.nonce) return;
  root.padReady = true; root.nonce = data.nonce;
  const P = root.querySelector("canvas.aez-canvas");
  P.width = P.height = 280;
  P.classList.add("aez-pad");
  P.setAttribute("role", "img");
  P.setAttribute("aria-label", "Drawing pad: draw a digit with the mouse, a pen or a finger");
  const ctx = P.getContext("2d");
  ctx.fillStyle = "#000"; ctx.fillRect(0, 0, 280, 280);
  ctx.strokeStyle = "#fff"; ctx.lineWidth = data.brush || 22; ctx.lineCap = ctx.lineJoin = "round";
  let drawing = false;
  const pos = (e) => { const r = P.getBoundingClientRect(); return [(e.clientX - r.left) * 280 / r.width, (e.clientY - r.top) * 280 / r.height]; };
  P.addEventListener("pointerdown", (e) => { drawing = true; const [x, y] = pos(e); ctx.beginPath(); ctx.moveTo(x, y); ctx.lineTo(x, y); ctx.stroke(); });
  P.addEventListener("pointermove", (e) => { if (!drawing) return; const [x, y] = pos(e); ctx.lineTo(x, y); ctx.stroke(); });
  const end = () => { if (!drawing) return; drawing = false; setStateValue("png", P.toDataURL("image/png")); };
  P.addEventListener("pointerup", end);
  P.addEventListener("pointerleave", end);
}

export default function (component) {
  const { data, setStateValue, parentElement } = component;
  let root = parentElement.querySelector(".aez");
  if (!root) {
    root = document.createElement("div");
    root.className = "aez";
    root.innerHTML = '<canvas class="aez-canvas" data-testid="aez-canvas" role="img" aria-label="decoded image"></canvas>' +
      '<div class="aez-controls"></div>';
    parentElement.appendChild(root);
    root.decodes = 0;
    window.__aezLatency = window.__aezLatency || [];
  }
  if (data.mode === "draw") return pad(root, data, setStateValue);
  if (root.specId !== data.spec.id) { root.spec = prepare(data.spec); root.specId = data.spec.id; }
  if (data.mode === "plane") return plane(root, data, root.spec, setStateValue);
  return sliders(root, data, root.spec, setStateValue);
}
