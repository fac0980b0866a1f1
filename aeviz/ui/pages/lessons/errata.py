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
        "The bilinear upsampling figure",
        "The slide's inner values (31, 27, 22, 17) are not bilinear interpolation of 40/30/20/10: torch gives 30, 26.7, "
        "23.3, 16.7. The Upsampling lesson shows torch's numbers; the slide's are an illustration.",
    ),
    (
        "000",
        "Linear AE MSE 0.0677",
        "Not a slip, a gap: PCA with the same 32 components reaches about 0.017 on MNIST, the best any linear AE can do, "
        "and aeviz's linear AE matches it. The slide's linear AE was far from converged. Overview shows both.",
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
