"""Tutorial 10, Q3(a) as set: a sparse denoising AE with 625 sigmoid units on MNIST."""

import streamlit as st

from aeviz import plots
from aeviz.tasks import JobSpec
from aeviz.ui.widgets import run, show

TITLE = "Tutorial 10 · Q3"
LECTURE = "004"


def render(sel) -> None:
    st.markdown(
        "Tutorial 10, Q3(a): one hidden layer of 625 sigmoid neurons, multiplicative (masking) noise at 10 % corruption, "
        "cross-entropy, SGD with α = 0.1 and batches of 128, sparsity ρ = 0.02 with β = 0.4. Trained once per server, "
        "3 epochs on 20,000 images (the tutorial leaves the number open); Q3(b) and (c) are the Stacked AE lesson."
    )
    r = run(JobSpec.of("q3", shared=True, dataset="mnist"), "the Q3 run")
    if r is None:
        return
    steps = r["steps"]
    show(
        plots.curves(
            {"total": steps[:, 1], "cross-entropy": steps[:, 2], "β · KL": steps[:, 3]},
            title="Learning curves (per step)",
            x="step",
            y="loss per image",
            log=True,
        ),
        key="q3_curve",
    )
    st.caption(
        "Test loss by epoch: " + ", ".join(f"{e['test_bce'] * 784:.1f}" for e in r["epochs"]) + " (cross-entropy per image)."
    )
    show(
        plots.filter_grid(r["weights"], cols=20, tile_px=36, title="Weights of the first 100 of 625 hidden units"),
        key="q3_weights",
    )
    a, b = st.columns([1, 3])
    with a:
        show(plots.image_grid(r["x"], 2, tile_px=56, title="test images"), key="q3_inputs")
    with b:
        show(
            plots.image_grid(
                r["codes"].reshape(-1, 25, 25),
                4,
                colorscale="Viridis",
                showscale=True,
                tile_px=110,
                title="their 625 hidden activations, as 25×25 maps",
            ),
            key="q3_codes",
        )
    rho_hat = r["rho_hat_units"]
    c1, c2, c3 = st.columns(3)
    c1.metric("ρ, the target", "0.02")
    c2.metric("ρ̂ on 5,000 test images", f"{rho_hat.mean():.3f}")
    c3.metric("test MSE", f"{r['metrics']['mse']:.4f}")
    st.caption(
        f"Honestly: with β = 0.4 against a cross-entropy summed over 784 pixels, the penalty is small beside the "
        f"reconstruction, and ρ̂ ends at {rho_hat.mean():.3f}, not 0.02 ({(rho_hat < 0.05).mean():.0%} of the units are "
        "under 0.05). A larger β, or a loss averaged over pixels, pulls it closer; the Train page's Q3 preset lets a class try."
    )
    show(plots.histograms({"units": rho_hat}, title="ρ̂ⱼ of the 625 units", x="mean activation"), key="q3_rho")
