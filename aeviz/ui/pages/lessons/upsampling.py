"""Lecture 000's unpooling and transposed-convolution slides, and lecture 003's convolution matrix."""

import streamlit as st
import torch

from aeviz import slides
from aeviz.ui.widgets import grid, matrix

TITLE = "Upsampling"
LECTURE = "000"


def render(sel) -> None:
    st.markdown("Lecture 000's unpooling and transposed-convolution slides; edit any input, torch recomputes.")
    a, b = st.columns(2)
    with a:
        _unpool_and_transposed()
    with b:
        _max_unpool()
        _output_size()
    _bilinear()
    _conv_matrix()


def _unpool_and_transposed() -> None:
    st.markdown("**Input 2×2**")
    x2 = matrix(slides.UNPOOL_INPUT, key="up_in")
    grid(slides.nearest_unpool(x2), "nearest neighbour", fmt="g", key="up_nn")
    grid(slides.bed_of_nails_unpool(x2), "bed of nails", fmt="g", key="up_bon")
    st.markdown("**Transposed convolution**")
    k = matrix([[1.0, 1.0], [1.0, 1.0]], key="up_kernel")
    s = int(st.number_input("stride", 1, 3, 2, key="up_stride"))
    s = min(max(s, 1), 3)
    grid(slides.transposed_conv(x2, k, s), f"{len(k)}×{len(k)} transposed conv, stride {s}", fmt="g", key="up_tc")
    grid(
        slides.transposed_conv(x2, torch.ones(3, 3).tolist(), 2, 1),
        "3×3 ones, stride 2, pad 1",
        fmt="g",
        key="up_tc3",
    )
    st.caption(
        "A transposed convolution is not the inverse of a convolution: it maps back to the input's *shape*, "
        "not its values (convolve, then transpose-convolve with the same kernel, and the numbers differ)."
    )


def _max_unpool() -> None:
    st.markdown("**Max-pooling with indices, then max-unpooling**")
    x4 = matrix(slides.MAXPOOL_INPUT, key="up_mp_in")
    r = slides.max_unpool(x4)
    grid(r.pooled, "max-pool 2×2", fmt="g", key="up_pooled")
    grid(r.indices, "indices (flat positions)", fmt="d", key="up_idx")
    grid(r.unpooled, "max-unpool at the indices", fmt="g", key="up_unpooled")
    st.caption("The slide shows a 4 at row 4, column 3: only the pooled maxima come back, so that cell is 0.")


def _output_size() -> None:
    st.markdown("**Output size**")
    c = st.columns(4)
    n, kk = int(c[0].number_input("input", 1, 64, 3, key="os_n")), int(c[1].number_input("filter", 1, 9, 3, key="os_k"))
    ss, pp = int(c[2].number_input("stride", 1, 4, 2, key="os_s")), int(c[3].number_input("padding", 0, 4, 1, key="os_p"))
    t_out, c_out = slides.transposed_out_size(n, kk, ss, pp), slides.conv_out_size(n, kk, ss, pp)
    st.latex(f"\\text{{transposed: }} {ss} \\times ({n} - 1) + {kk} - 2 \\times {pp} = {t_out}")
    st.latex(f"\\text{{convolution: }} \\lfloor ({n} + 2 \\times {pp} - {kk}) / {ss} \\rfloor + 1 = {c_out}")


def _bilinear() -> None:
    st.markdown("**Bilinear, 2×2 → 4×4** (lecture 003's 40/30/20/10)")
    left, mid, right = st.columns(3)
    with left:
        grid(slides.bilinear_upsample(), "half-pixel (torch, Keras)", fmt="g", key="up_bil")
    with mid:
        grid(slides.BILINEAR_SLIDE, "the slide", fmt="g", key="up_bil_slide")
    with right:
        grid(slides.bilinear_upsample(align_corners=True), "corners kept", fmt=".1f", key="up_bil_ac")
    st.caption(
        "The slide's grid is bilinear interpolation with the half-pixel convention (align_corners=False), torch's "
        "default and Keras's: each output pixel samples the input at its centre, so the border cells repeat (40, 37.5, "
        "32.5, 30). The slide rounds those numbers down (13 of 16 cells; the other three within 1.5). With the corners "
        "kept (align_corners=True) the right column would read 30, 23.3, 16.7, 10: not the slide's 30, 25, 15, 10."
    )


def _conv_matrix() -> None:
    st.markdown("**Transposed convolution is the transpose of the convolution matrix** (lecture 003)")
    cm = slides.conv_as_matrix()
    a, b, c = st.columns([1, 2, 1])
    with a:
        grid(slides.CONV_MATRIX_INPUT, "input 4×4", fmt="g", key="cm_in")
        grid(slides.SOBEL, "filter 3×3", fmt="g", key="cm_f")
        grid(cm.output, "convolution (2×2)", fmt="g", key="cm_out")
    with b:
        grid(cm.matrix.T, "Cᵀ (16×4): one column per output", fmt="g", key="cm_matrix")
    with c:
        grid(cm.transposed, "Cᵀ · output, as 4×4: not the input back", fmt="g", key="cm_t")
