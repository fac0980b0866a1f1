"""The lectures' lessons, live: each on real models or real torch ops, the lecture's numbers as presets."""

import numpy as np
import pandas as pd
import streamlit as st
import torch

from aeviz import build_model, explore, lessons, plots, presets, train
from aeviz.config import ModelConfig, TrainConfig
from aeviz.data import patterns_3x3, random_images
from aeviz.explore import tile_shape
from aeviz.ui import common as ui

dataset = st.session_state["dataset"]
st.header("Lessons")
tabs = st.tabs(
    [
        "Linear AE = PCA",
        "Tutorial 10 · Q1",
        "Tutorial 10 · Q2",
        "Upsampling",
        "Worked examples",
        "Bottleneck & depth",
        "Codes as features",
    ]
)


def grid(values, title: str | None = None, fmt: str = ".2f", key: str | None = None) -> None:
    ui.show(plots.number_grid(np.asarray(values), title=title, fmt=fmt), key=key)


def table(values, fmt: str = "{:.4f}", index=None, columns=None) -> None:
    df = pd.DataFrame(np.asarray(values, dtype=float), index=index, columns=columns)
    st.dataframe(df.style.format(fmt), width="content")


# --- 1. linear AE = PCA ---------------------------------------------------------------------------
with tabs[0]:
    lin = ui.representative(dataset, "linear")
    st.markdown(
        "Lecture 000: a linear autoencoder trained with squared error can at best reach PCA, "
        "$\\hat X = X V_K V_K^T$, and then its decoder spans the same subspace as the top-$K$ principal components."
    )
    if lin:
        model = ui.get_model(lin)

        @st.cache_data(show_spinner="Comparing with PCA…")
        def pca_lesson(name: str, dataset: str):
            x = ui.test_floats(dataset)
            cmp = lessons.compare_with_pca(ui.get_model(name), x)
            ae = float((ui.get_model(name).reconstruct(x) - x).square().mean())
            from aeviz.pca import fit_pca

            pca = fit_pca(x, cmp.components.shape[0])
            return cmp, ae, float((pca.reconstruct(x) - x).square().mean())

        cmp, ae_mse, pca_mse = pca_lesson(lin, dataset)
        k = cmp.components.shape[0]
        a, b, c = st.columns(3)
        a.metric(f"linear AE ({ui.title(lin)})", f"{ae_mse:.4f}")
        b.metric(f"PCA, K = {k}", f"{pca_mse:.4f}")
        c.metric("largest principal angle", f"{float(cmp.angles.max()):.1f}°")
        ui.show(
            plots.bar(
                [f"θ{i + 1}" for i in range(k)],
                cmp.angles.tolist(),
                title="Principal angles between the decoder's columns and PCA's top-K subspace",
                yaxis="degrees",
                fmt=".1f",
            ),
            key="pca_angles",
        )
        st.caption(
            "The first angles are near 0°: the leading components are shared. The last ones are large because "
            "those components explain almost no variance, so the loss barely depends on which of them the AE keeps."
        )
        n = 16
        st.markdown(
            "First 16 principal components (top) and the same components projected onto the AE decoder's "
            "column space (bottom): identical when the subspaces agree."
        )
        ui.show(
            plots.filter_grid(torch.cat([cmp.components[:n], cmp.projected[:n]]).reshape(-1, 28, 28).numpy(), cols=n, tile_px=48),
            key="pca_components",
        )


# --- 2. tutorial 10, Q1 -----------------------------------------------------------------------------
@st.cache_data(show_spinner="Training the 9-4-9 autoencoder…")
def tutorial_q1(beta: float, rho: float, lr: float, epochs: int, seed: int):
    cfg = presets.PATTERNS_MODEL.replace(beta=beta, rho=rho)
    model = build_model(cfg, seed=seed)
    data = patterns_3x3()
    train(model, data, presets.PATTERNS_TRAIN.replace(lr=lr, epochs=epochs, seed=seed))
    with torch.no_grad():
        out = model(data.x)
    enc, dec = model.encoder_layers()[0], model.decoder_layers()[0]
    return {
        "h": out.z.numpy(), "y": out.x_hat.flatten(1).numpy(), "o": (out.x_hat > 0.5).float().flatten(1).numpy(),
        "W": enc.weight.detach().T.numpy(), "W'": dec.weight.detach().T.numpy(),
        "b": enc.bias.detach().numpy(), "b'": dec.bias.detach().numpy(),
    }  # fmt: skip


with tabs[1]:
    st.markdown(
        "Five 3×3 binary patterns, a 9-4-9 autoencoder with sigmoid units, cross-entropy, "
        "gradient descent with α = 0.1 (lecture 004)."
    )
    c = st.columns(4)
    lr = c[0].number_input("α", 0.001, 5.0, 0.1, key="q1_lr")
    epochs = c[1].number_input("iterations", 100, 20000, 3000, step=500, key="q1_epochs")
    beta = c[2].number_input("sparsity β", 0.0, 5.0, 0.5, key="q1_beta")
    rho = c[3].number_input("ρ", 0.01, 0.99, 0.1, key="q1_rho")
    plain, sparse = tutorial_q1(0.0, rho, lr, int(epochs), 0), tutorial_q1(beta, rho, lr, int(epochs), 0)
    x = patterns_3x3().x.flatten(1).numpy()
    ui.show(
        plots.reconstruction_rows(
            [x.reshape(5, 3, 3), plain["o"].reshape(5, 3, 3), sparse["o"].reshape(5, 3, 3)],
            ["patterns", "plain, > 0.5", "sparse, > 0.5"],
            tile_px=48,
        ),
        key="q1_patterns",
    )
    ok = [bool((r["o"] == x).all()) for r in (plain, sparse)]
    st.caption(f"All five reconstructed exactly: plain {'✓' if ok[0] else '✗'}, sparse {'✓' if ok[1] else '✗'}.")
    a, b = st.columns(2)
    with a:
        st.markdown(f"**Hidden activations, reconstruction loss only** (mean {plain['h'].mean():.3f})")
        table(plain["h"], index=[f"x{i + 1}" for i in range(5)], columns=[f"h{j + 1}" for j in range(4)])
    with b:
        st.markdown(f"**…plus sparsity β = {beta}, ρ = {rho}** (mean {sparse['h'].mean():.3f})")
        table(sparse["h"], index=[f"x{i + 1}" for i in range(5)], columns=[f"h{j + 1}" for j in range(4)])
    which = st.radio("Weights of", ["plain", "sparse"], horizontal=True, key="q1_weights")
    r = plain if which == "plain" else sparse
    a, b = st.columns(2)
    with a:
        st.markdown("W (9 × 4) and b")
        table(r["W"])
        table(r["b"][None])
    with b:
        st.markdown("W′ (4 × 9) and b′")
        table(r["W'"])
        table(r["b'"][None])


# --- 3. tutorial 10, Q2 -----------------------------------------------------------------------------
@st.cache_data(show_spinner="Training on 100 random images…")
def tutorial_q2(hidden: int, beta: float, rho: float, epochs: int):
    cfg = presets.RANDOM_UNDER.replace(latent=hidden, beta=beta, rho=rho)
    model = build_model(cfg, seed=0)
    data = random_images()
    train(model, data, presets.RANDOM_TRAIN.replace(epochs=epochs))
    with torch.no_grad():
        out = model(data.x)
    w = model.encoder_layers()[0].weight.detach().reshape(hidden, 10, 10).numpy()
    return w, out.z.numpy(), out.x_hat.numpy(), float((out.x_hat - data.x).square().mean())


with tabs[2]:
    st.markdown(
        "100 random 10×10 images from U(0, 1), squared error: undercomplete (49), overcomplete (144) "
        "and sparse overcomplete (144, ρ = 0.05, β = 0.5)."
    )
    epochs = st.select_slider("epochs", [200, 500, 1000, 2000], 500, key="q2_epochs")
    variant = st.radio(
        "Autoencoder", ["a · undercomplete, 49", "b · overcomplete, 144", "c · sparse, 144"], horizontal=True, key="q2_variant"
    )
    hidden, beta = {"a": (49, 0.0), "b": (144, 0.0), "c": (144, 0.5)}[variant[0]]
    w, z, x_hat, mse = tutorial_q2(hidden, beta, 0.05, epochs)
    st.caption(f"MSE {mse:.4f} · mean hidden activation {z.mean():.3f}")
    a, b = st.columns(2)
    with a:
        ui.show(
            plots.filter_grid(w, cols=int(np.sqrt(hidden)), tile_px=32, title=f"10×10 weights of {hidden} filters"),
            key="q2_filters",
        )
    with b:
        h, ww = tile_shape(hidden)
        ui.show(
            plots.image_grid(
                z[:25].reshape(-1, h, ww),
                cols=5,
                colorscale="Viridis",
                tile_px=60,
                showscale=True,
                title=f"{h}×{ww} hidden activations of 25 samples",
            ),
            key="q2_codes",
        )


# --- 4. upsampling playground -----------------------------------------------------------------------
with tabs[3]:
    st.markdown("Lecture 000's unpooling and transposed-convolution slides; edit any input, torch recomputes.")
    a, b = st.columns(2)
    with a:
        st.markdown("**Input 2×2**")
        x2 = st.data_editor(pd.DataFrame(lessons.UNPOOL_INPUT), key="up_in", hide_index=True).to_numpy(float).tolist()
        grid(lessons.nearest_unpool(x2), "nearest neighbour", fmt="g", key="up_nn")
        grid(lessons.bed_of_nails_unpool(x2), "bed of nails", fmt="g", key="up_bon")
        st.markdown("**Transposed convolution**")
        k = st.data_editor(pd.DataFrame([[1.0, 1.0], [1.0, 1.0]]), key="up_kernel", hide_index=True).to_numpy(float).tolist()
        s = st.number_input("stride", 1, 3, 2, key="up_stride")
        grid(lessons.transposed_conv(x2, k, int(s)), f"{len(k)}×{len(k)} transposed conv, stride {s}", fmt="g", key="up_tc")
        grid(
            lessons.transposed_conv(x2, torch.ones(3, 3).tolist(), 2, 1),
            "3×3 of ones, stride 2, pad 1 (sums where copies overlap)",
            fmt="g",
            key="up_tc3",
        )
    with b:
        st.markdown("**Max-pooling with indices, then max-unpooling**")
        x4 = st.data_editor(pd.DataFrame(lessons.MAXPOOL_INPUT), key="up_mp_in", hide_index=True).to_numpy(float).tolist()
        r = lessons.max_unpool(x4)
        grid(r.pooled, "max-pool 2×2", fmt="g", key="up_pooled")
        grid(r.indices, "indices (flat positions)", fmt="d", key="up_idx")
        grid(r.unpooled, "max-unpool at the indices", fmt="g", key="up_unpooled")
        st.caption("The slide shows a 4 at row 4, column 3: only the pooled maxima come back, so that cell is 0.")
        st.markdown("**Output size**")
        c = st.columns(4)
        n = c[0].number_input("input", 1, 64, 3, key="os_n")
        kk = c[1].number_input("filter", 1, 9, 3, key="os_k")
        ss = c[2].number_input("stride", 1, 4, 2, key="os_s")
        pp = c[3].number_input("padding", 0, 4, 1, key="os_p")
        st.latex(
            f"\\text{{transposed: }} {ss} \\times ({n} - 1) + {kk} - 2 \\times {pp} = "
            f"{lessons.transposed_out_size(n, kk, ss, pp)}"
        )
        st.latex(
            f"\\text{{convolution: }} \\lfloor ({n} + 2 \\times {pp} - {kk}) / {ss} \\rfloor + 1 = "
            f"{lessons.conv_out_size(n, kk, ss, pp)}"
        )
    st.markdown("**Transposed convolution is the transpose of the convolution matrix** (lecture 003)")
    cm = lessons.conv_as_matrix()
    a, b, c = st.columns([1, 2, 1])
    with a:
        grid(lessons.CONV_MATRIX_INPUT, "input 4×4", fmt="g", key="cm_in")
        grid(lessons.SOBEL, "filter 3×3", fmt="g", key="cm_f")
        grid(cm.output, "convolution (2×2)", fmt="g", key="cm_out")
    with b:
        grid(cm.matrix.T, "Cᵀ (16×4): one column per output", fmt="g", key="cm_matrix")
    with c:
        grid(cm.transposed, "Cᵀ · output, as 4×4", fmt="g", key="cm_t")


# --- 5. worked examples -----------------------------------------------------------------------------
with tabs[4]:
    st.markdown("**A 6×6 image through conv → ReLU → max-pool → conv → upsample** (lecture 003)")
    a, b = st.columns(2)
    img = a.data_editor(pd.DataFrame(lessons.IMAGE_6x6), key="we_img", hide_index=True).to_numpy(float).tolist()
    f1 = b.data_editor(pd.DataFrame(lessons.FILTER_1), key="we_f1", hide_index=True).to_numpy(float).tolist()
    f2 = b.data_editor(pd.DataFrame(lessons.FILTER_2), key="we_f2", hide_index=True).to_numpy(float).tolist()
    r = lessons.conv_example(img, f1, f2)
    cols = st.columns(5)
    for i, (col, (t, title)) in enumerate(
        zip(
            cols,
            [
                (r.conv1, "conv (SAME)"),
                (r.relu, "ReLU"),
                (r.pooled, "max-pool 2×2"),
                (r.conv2, "conv (SAME)"),
                (r.upsampled, "upsample 2×2"),
            ],
            strict=True,
        )
    ):
        with col:
            grid(t, title, fmt="g", key=f"we_stage_{i}")
    st.markdown("**A 3-input autoencoder with ReLU units** (lecture 003)")
    a, b, c = st.columns(3)
    xv = a.data_editor(pd.DataFrame({"x": [1.0, -1.0, 0.0]}), key="we_x", hide_index=True)["x"].tolist()
    we = (
        b.data_editor(pd.DataFrame([[1.0, 2.0], [1.0, 0.0], [-1.0, 0.0]], columns=["h1", "h2"]), key="we_we", hide_index=True)
        .to_numpy(float)
        .tolist()
    )
    wd = (
        c.data_editor(pd.DataFrame([[2.0, 0.0], [0.0, 1.0], [0.0, 0.0]], columns=["h1", "h2"]), key="we_wd", hide_index=True)
        .to_numpy(float)
        .tolist()
    )
    d = lessons.dense_example(xv, we, wd)
    st.markdown(
        f"Encoder: $W^T x = {d.pre.tolist()}$, ReLU → $z = {d.z.tolist()}$. Decoder: $W' z = {d.x_hat_pre.tolist()}$, "
        f"ReLU → $\\hat x = {d.x_hat.tolist()}$. Reconstruction error $\\|x - \\hat x\\|^2 = {float(d.error):g}$."
    )


# --- 6. bottleneck and depth ------------------------------------------------------------------------
@st.cache_resource(show_spinner="Training one-layer autoencoders (once per server)…")
def one_layer(dataset: str, k: int):
    from aeviz.data import DataUnavailable, load_dataset

    try:
        data = load_dataset(dataset, "train", download=False).subset(20_000)
    except DataUnavailable:
        data = ui.test_set(dataset)
    model = build_model(ModelConfig(family="mlp", hidden=(), latent=k), seed=0)
    train(model, data, TrainConfig(epochs=3, lr=2e-3, threads=1))
    return model.requires_grad_(False)


with tabs[5]:
    st.markdown(
        "Lecture 002: one fully connected layer each way with 20, 10 and 2 latents, against a deeper network with a 32-D code."
    )
    if st.toggle("Train the one-layer models (a few seconds, once)", key="bd_go"):
        x = ui.test_floats(dataset)[:10]
        rows, labels = [x.numpy()], ["input"]
        for k in (20, 10, 2):
            x_hat = one_layer(dataset, k).reconstruct(x)
            rows.append(x_hat.numpy())
            labels.append(f"1 layer, {k} latents · {float((x_hat - x).square().mean()):.4f}")
        deep = ui.representative(dataset, "mlp")
        if deep:
            x_hat = ui.get_model(f"{dataset}-mlp-deep" if f"{dataset}-mlp-deep" in ui.model_names(dataset) else deep).reconstruct(
                x
            )
            rows.append(x_hat.numpy())
            labels.append(f"deep, 32 latents · {float((x_hat - x).square().mean()):.4f}")
        ui.show(plots.reconstruction_rows(rows, labels, tile_px=56), key="bd_rows")


# --- 7. codes as features ---------------------------------------------------------------------------
@st.cache_data(show_spinner="Training softmax classifiers…")
def features_table(dataset: str, name: str, per_class: tuple[int, ...]):
    from aeviz.data import DataUnavailable, load_dataset
    from aeviz.pca import fit_pca

    try:
        pool, test = load_dataset(dataset, "train", download=False), ui.test_set(dataset)
    except DataUnavailable:  # only the 2,000-image sample: half to learn from, half to test on
        s = ui.test_set(dataset)
        pool, test = s.subset(1000), type(s)(s.x[1000:], s.y[1000:], s.name)
    model = ui.get_model(name)
    k = int(np.prod(model.latent_shape))
    x_test = test.floats()[:5000]
    y_test = test.y[:5000]
    rows = []
    for n in per_class:
        idx = lessons.few_labels(pool.y, n)
        x_tr, y_tr = pool.floats(idx), pool.y[idx]
        pca = fit_pca(x_tr if len(x_tr) > k else pool.floats()[:5000], min(k, 784))
        feats = {
            "raw pixels (784)": (x_tr.flatten(1), x_test.flatten(1)),
            f"PCA codes ({min(k, 784)})": (pca.encode(x_tr), pca.encode(x_test)),
            f"AE codes ({k})": (torch.from_numpy(explore.codes(model, x_tr)), torch.from_numpy(explore.codes(model, x_test))),
        }
        rows.append(
            {kind: lessons.softmax_accuracy(a, y_tr, b, y_test) for kind, (a, b) in feats.items()} | {"labels per class": n}
        )
    return pd.DataFrame(rows).set_index("labels per class")


with tabs[6]:
    st.markdown(
        "Lectures 003/004: train an encoder without labels, then a softmax classifier on its frozen codes with only a few labels."
    )
    name = st.session_state["model"]
    choice = st.multiselect("Labels per class", [10, 30, 100, 300], [10, 100], key="cf_n")
    if st.toggle(f"Compare (codes of {ui.title(name)})", key="cf_go") and choice:
        st.dataframe(features_table(dataset, name, tuple(sorted(choice))).style.format("{:.1%}"), width="content")
        st.caption("Test accuracy of the same multinomial logistic regression on three kinds of input.")
