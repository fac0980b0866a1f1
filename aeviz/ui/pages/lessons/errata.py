"""The slides' slips, each beside what the app does instead, and why."""

import streamlit as st
import torch
from torch.distributions import Normal, kl_divergence

TITLE = "Slide errata"
LECTURE = "001"

ERRATA = [
    (
        "001",
        "The loss's order of composition",
        "The slide writes arg min ‖X − (f∘g)X‖² with f: X → h and g: h → X. (f∘g)(X) = f(g(X)) decodes first, which does "
        "not type-check; the autoencoder is g(f(X)) = (g∘f)(X): encode, then decode. aeviz computes decode(encode(x)).",
    ),
    (
        "001",
        "The sign of the VAE's KL term",
        "The slide gives D = −½ Σ (σⱼ + μⱼ² − 1 − log σⱼ), σⱼ standing for the variance. A KL divergence is never negative: "
        "D = ½ Σ (σⱼ² + μⱼ² − 1 − log σⱼ²). aeviz uses the latter, checked against torch.distributions (below).",
    ),
    (
        "002",
        "256 × 256 = 262,000",
        "256 × 256 is 65,536 pixels; 262,144 is 512 × 512 (or 256 × 256 × 4 bytes of RGBA). The Applications lesson's "
        "compression readout counts pixels and bytes separately.",
    ),
    (
        "003",
        "x̂ = Encoder(Decoder(x̃))",
        "A denoising AE decodes the encoding of the corrupted input: x̂ = Decoder(Encoder(x̃)), and the loss compares x̂ "
        "with the clean x, L(x, x̂), as the same slide then says. aeviz trains exactly that (Denoise page, Train page).",
    ),
    (
        "003",
        "The 3-input example's decoder, Wᵀ z",
        "With the decoder's W of shape 3 × 2, Wᵀ z would need a 3-vector z; the code has 2 units. The decoder maps the 2 "
        "codes to 3 outputs, W z with W of 3 × 2 — what the Worked examples lesson computes.",
    ),
    (
        "003",
        "The bilinear upsampling figure, rounded down",
        "The slide's grid is bilinear interpolation with the half-pixel convention (torch's align_corners=False, "
        "Keras's default): 40 37.5 32.5 30 / 35 32.5 27.5 25 / 25 22.5 17.5 15 / 20 17.5 12.5 10, printed rounded "
        "down in 13 of 16 cells (34, 31 and 18 are within 1.5 of 35, 32.5 and 17.5). The Upsampling lesson shows it "
        "beside the slide and beside the corners-kept convention (align_corners=True).",
    ),
    (
        "000",
        "A stray 4 after max-unpooling",
        "The max-unpooling slide shows a 4 at row 4, column 3 of the unpooled grid. Only the pooled maxima go back, at "
        "their indices, and every other cell is 0: that 4 (the input's, which was not its block's maximum: 8 was) "
        "cannot be there. The Upsampling lesson computes the grid.",
    ),
    (
        "003",
        "A 3-element bias for a 2-unit code",
        "The 3-input example gives the encoder b = (0, 0, 0), but Wᵀx has 2 entries, one per code unit: the bias has 2 "
        "elements. Zero either way, so the numbers do not change; the Worked examples lesson uses a 2-element bias.",
    ),
    (
        "002",
        "“MP3 37,000” under a picture",
        "The compression slide labels one of the picture's compressed sizes MP3, a codec for sound. It compares "
        "the same image's sizes, so it is another image format (the slide does not say which); the JPG beside it is 26,000.",
    ),
    (
        "000",
        "Linear AE MSE 0.0677",
        "Unexplained, not a known slip: PCA with the same 32 components reaches about 0.0168 on MNIST's test set, the "
        "best any linear AE can do, and aeviz's linear AE matches it. 4 × 0.0168 = 0.0673, close to the slide's number: "
        "images scaled to [−1, 1] quadruple every squared error, so the slide may have measured on that scale, or on "
        "another subset. The lecture does not say which. Overview shows both.",
    ),
]


def render(sel) -> None:
    st.markdown("Where a slide slips, the app computes the right thing and says so here (and where it matters).")
    for lecture, title, text in ERRATA:
        st.markdown(f"**Lecture {lecture} · {title}**  \n{text}")
    mu, logvar = torch.tensor([0.5, -1.0]), torch.tensor([-0.3, 0.4])
    ours = 0.5 * (mu.square() + logvar.exp() - 1 - logvar).sum()
    slide = -0.5 * (logvar.exp() + mu.square() - 1 - logvar).sum()
    truth = kl_divergence(Normal(mu, (0.5 * logvar).exp()), Normal(0.0, 1.0)).sum()
    st.caption(
        f"For μ = (0.5, −1), log σ² = (−0.3, 0.4): ½ Σ (μ² + σ² − 1 − log σ²) = {ours:.4f}; torch.distributions' "
        f"KL = {truth:.4f}; the slide's formula gives {slide:.4f}."
    )
