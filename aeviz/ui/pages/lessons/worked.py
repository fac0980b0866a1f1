"""Lecture 003's worked examples: a 6x6 image through conv, ReLU, pool, conv, upsample; a 3-input ReLU AE."""

import streamlit as st

from aeviz import slides
from aeviz.ui.widgets import grid, matrix

TITLE = "Worked examples"
LECTURE = "003"


def render(sel) -> None:
    st.markdown("**A 6×6 image through conv → ReLU → max-pool → conv → upsample** (lecture 003)")
    a, b = st.columns(2)
    with a:
        img = matrix(slides.IMAGE_6x6, key="we_img")
    with b:
        f1, f2 = matrix(slides.FILTER_1, key="we_f1"), matrix(slides.FILTER_2, key="we_f2")
    r = slides.conv_example(img, f1, f2)
    stages = [
        (r.conv1, "conv (SAME)"),
        (r.relu, "ReLU"),
        (r.pooled, "max-pool 2×2"),
        (r.conv2, "conv (SAME)"),
        (r.upsampled, "upsample 2×2"),
    ]
    for i, (col, (t, title)) in enumerate(zip(st.columns(5), stages, strict=True)):
        with col:
            grid(t, title, fmt="g", key=f"we_stage_{i}")
    st.markdown("**A 3-input autoencoder with ReLU units** (lecture 003)")
    a, b, c = st.columns(3)
    with a:
        xv = [row[0] for row in matrix([[1.0], [-1.0], [0.0]], key="we_x", columns=["x"])]
    with b:
        we = matrix([[1.0, 2.0], [1.0, 0.0], [-1.0, 0.0]], key="we_we", columns=["h1", "h2"])
    with c:
        wd = matrix([[2.0, 0.0], [0.0, 1.0], [0.0, 0.0]], key="we_wd", columns=["h1", "h2"])
    d = slides.dense_example(xv, we, wd)
    st.markdown(
        f"Encoder: $W^T x = {d.pre.tolist()}$, ReLU → $z = {d.z.tolist()}$. Decoder: $W' z = {d.x_hat_pre.tolist()}$, "
        f"ReLU → $\\hat x = {d.x_hat.tolist()}$. Reconstruction error $\\|x - \\hat x\\|^2 = {float(d.error):g}$."
    )
    st.caption(
        "The slide writes the decoder as Wᵀz with its 3×2 W, which cannot multiply a 2-vector z: "
        "the decoder's weights map the 2 codes to 3 outputs, W′z with W′ of 3×2, as computed here."
    )
