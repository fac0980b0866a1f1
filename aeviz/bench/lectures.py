"""`python -m aeviz.bench lectures`: every number a lesson quotes, reproduced from seeds in one run.

Each line names the lecture's item, the app's figure and, where the lecture prints one, the lecture's.
The lessons' runs are the training service's own tasks (aeviz.lessons), run here in this process
with the parameters the pages give them, so a figure here is the figure a class sees. Data: MNIST
from AEVIZ_DATA_DIR or torchvision's download; without it, the shipped 2,000-image sample (said).
`--json FILE` writes the figures; `--quick` leaves out the runs that take minutes (bottleneck, features,
clustering, stacked, capacity).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

from aeviz import checkpoint, metrics, slides
from aeviz.tasks import JobSpec, run_here

OUT: dict[str, dict] = {}


def say(item: str, what: str, value, lecture=None) -> None:
    """One quoted number: printed, and kept for --json."""
    if isinstance(value, float):
        shown = f"{value:.4f}"
    elif isinstance(value, (int, str)):
        shown = value
    else:  # a grid, on one line
        shown = np.array2string(np.asarray(value), precision=4, separator=", ", max_line_width=10**6).replace("\n", "")
    print(f"{item:18s} {what:58s} {shown}" + (f"   (lecture: {lecture})" if lecture is not None else ""))
    OUT.setdefault(item, {})[what] = value.tolist() if hasattr(value, "tolist") else value


def worked() -> None:
    d = slides.dense_example()
    say("003-three-input", "z = ReLU(Wᵀx)", d.z)
    say("003-three-input", "x̂ = ReLU(W z)", d.x_hat)
    say("003-three-input", "‖x − x̂‖²", float(d.error), 10)
    c = slides.conv_example()
    say("003-conv-example", "conv → ReLU → pool (3×3)", c.pooled)
    say("003-conv-example", "upsampled 6×6, first row", c.upsampled[0])
    m = slides.max_unpool()
    say("000-max-unpool", "indices", m.indices, "[5, 2; 12, 15]")
    say("000-max-unpool", "unpooled, last row", m.unpooled[-1], "0 0 4 8 (the 4 is a slip)")
    say("000-transposed-conv", "2×2 of ones, stride 2 (4×4)", slides.transposed_conv())
    say("000-output-size", "transposed: 2 × (3 − 1) + 3 − 2 × 1", slides.transposed_out_size(3, 3, 2, 1), 5)
    half, slide = slides.bilinear_upsample(), torch.tensor(slides.BILINEAR_SLIDE, dtype=torch.float32)
    say("003-bilinear", "half-pixel (align_corners=False)", half)
    say("003-bilinear", "cells of the slide = floor(half-pixel)", int((half.floor() == slide).sum()), "13 of 16")
    say("003-bilinear", "corners kept (align_corners=True), right column", slides.bilinear_upsample(align_corners=True)[:, -1])
    cm = slides.conv_as_matrix()
    say("003-conv-matrix", "Sobel on the 4×4 input (2×2)", cm.output)


def vae_kl() -> None:
    """The errata's KL example; the VAE, computed lesson's first test image (seed 0); the Linear AE = PCA lesson."""
    from aeviz.data import load_test_or_sample, splits
    from aeviz.pca import fit_pca

    mu, logvar = torch.tensor([0.5, -1.0]), torch.tensor([-0.3, 0.4])
    say("001-kl", "½ Σ (μ² + σ² − 1 − log σ²), errata's example", float(0.5 * (mu.square() + logvar.exp() - 1 - logvar).sum()))
    x = load_test_or_sample("mnist").floats()
    vae = checkpoint.load_pretrained("mnist-vae-2d")
    s = slides.vae_step(vae, x[0], seed=0)
    say("001-vae-loss", "VAE 2-D, test image 0: reconstruction −log p(x|z), nats", s.recon)
    say("001-vae-loss", "VAE 2-D, test image 0: KL(q(z|x) ‖ N(0, I)), nats", s.kl)
    linear = checkpoint.load_pretrained("mnist-linear")
    pca = fit_pca(splits("mnist")[0].floats(), linear.latent_size)  # as the lesson fits it: the training split
    cmp = slides.compare_with_pca(linear, pca)
    say("000-linear-ae-is-pca", "largest principal angle, decoder vs PCA-32 (degrees)", float(cmp.angles.max()))


def tutorial() -> None:
    from aeviz import presets

    for beta, name in ((0.0, "004-q1"), (presets.PATTERNS_SPARSE.beta, "004-q1-sparse")):
        spec = JobSpec.of("tutorial_q1", beta=beta, rho=0.1, lr=0.1, epochs=presets.PATTERNS_TRAIN.epochs)
        r, _ = run_here(spec)
        from aeviz.data import patterns_3x3

        exact = int((r["o"] == patterns_3x3().x.flatten(1).numpy()).all(1).sum())
        say(name, "patterns reconstructed exactly (of 5)", exact, 5)
        say(name, "mean hidden activation", float(r["h"].mean()), 0.599 if beta == 0 else 0.252)
    for label, hidden, beta in (("004-q2a", 49, 0.0), ("004-q2b", 144, 0.0), ("004-q2c", 144, 0.5)):
        for scale, factor in (("sum", 1.0), ("mean", 100.0)) if beta else (("sum", 1.0),):
            r, _ = run_here(JobSpec.of("tutorial_q2", hidden=hidden, beta=beta * factor, rho=0.05, epochs=500))
            say(label, f"500 epochs: MSE, β against the {scale} over pixels", r["mse"])
            say(label, f"500 epochs: mean hidden activation (ρ̂), β on the {scale}", float(r["z"].mean()), 0.05 if beta else None)
    r, _ = run_here(JobSpec.of("q3", dataset="mnist"))
    say("004-q3a", "3 epochs, SGD α = 0.1: test MSE", r["metrics"]["mse"])
    say("004-q3a", "mean hidden activation ρ̂ on 5,000 test images", float(r["rho_hat_units"].mean()), 0.02)
    if r["note"]:
        print(f"{'':18s} ({r['note']})")


def bottleneck_features_clusters() -> None:
    """Lecture 002's bottleneck lesson (its ten test images, as the page shows them), the Codes-as-features
    table of the conv AE, and the Applications lesson's k-means scores, as the pages quote them."""
    from aeviz.data import load_test_or_sample, splits
    from aeviz.pca import fit_pca

    x = load_test_or_sample("mnist").floats()
    for label, hidden, k in (
        ("1 layer, 20", (), 20),
        ("1 layer, 10", (), 10),
        ("1 layer, 2", (), 2),
        ("deep 128-64, 20", (128, 64), 20),
    ):
        blob, _ = run_here(JobSpec.of("fc_ae", dataset="mnist", hidden=hidden, latent=k))
        model, _ = checkpoint.from_bytes(blob)
        say("002-latents-20-10-2", f"{label} latents, 3 epochs: MSE on the page's 10 test images",
            metrics.mse(model.reconstruct(x[:10]), x[:10]))  # fmt: skip
    r, _ = run_here(JobSpec.of("features", model="mnist-conv", dataset="mnist", per_class=(10, 100)))
    for row in r["rows"]:
        for kind, acc in row.items():
            if kind != "labels per class":
                say("003-features", f"{row['labels per class']} labels a class: softmax on {kind}", acc)
    conv = checkpoint.load_pretrained("mnist-conv")
    xs, ys = x[:2000], load_test_or_sample("mnist").y[:2000]
    pca = fit_pca(splits("mnist")[0].floats(), 392)  # as the page fits it: on the training split
    with torch.no_grad():
        spaces = {"raw pixels": xs.flatten(1), "PCA-392 codes": pca.encode(xs), "conv AE codes (392)": conv.codes(xs)}
    for row in metrics.cluster_scores(spaces, ys):
        say("002-clustering", f"k-means, 10 clusters, 2,000 test images, {row['features']}: purity, NMI",
            np.array([row["purity"], row["NMI"]]))  # fmt: skip


def stacked_and_capacity() -> None:
    r, _ = run_here(JobSpec.of("stacked", dataset="mnist", per_class=(10, 100, 0)))
    for row in r["rows"]:
        for k, v in row.items():
            if k != "labels":
                say("003-stacked", f"{row['labels']}: {k}", v)
    say("004-q3b", "pretraining: last loss of each layer", np.array([c[-1] for c in r["pretrain"]]))
    r, _ = run_here(JobSpec.of("capacity", dataset="mnist"))
    for k in ("under", "over"):
        say("001-overcomplete", f"{k}complete linear AE: MSE on digits, on noise", np.array([r[k]["digits"], r[k]["noise"]]))
    say(
        "001-one-d-code",
        "1-D code, 32 images: train MSE, test MSE",
        np.array([r["memorise"]["train_mse"], r["memorise"]["test_mse"]]),
    )


def applications() -> None:
    from aeviz.data import load_test_or_sample

    x = load_test_or_sample("mnist").floats()
    models = {n: checkpoint.load_pretrained(n) for n in ("mnist-conv", "mnist-denoising", "mnist-infill")}
    for size in (7, 11):
        for name, v in metrics.infill_errors(models, x, size).items():
            say("002-infilling", f"{size}×{size} centred hole, MSE in the hole: {name}", v)
    r, _ = run_here(JobSpec.of("segmentation", dataset="mnist"))
    say("003-segmentation", "IoU of the encoder-decoder's mask, 1,000 test images", r["iou"])
    say("003-segmentation", f"IoU of the best threshold of the input ({r['threshold']:g})", r["threshold_iou"])
    r, _ = run_here(JobSpec.of("tied", dataset="mnist", latent=32))
    for k in ("untied", "tied"):
        say("001-tied", f"{k}: test MSE, parameters", np.array([r[k]["mse"], r[k]["params"]]))
    keras = metrics.keras_results(models["mnist-conv"], models["mnist-denoising"], x)
    say("003-keras", "binary accuracy: conv AE", keras["conv"], "88 %")
    say("003-keras", "binary accuracy: denoiser on noise 0.5", keras["denoising"], "92 %")
    say("003-keras", "the cap: share of pixels exactly 0 or 1", keras["cap"])
    manifest = checkpoint.read_manifest()  # measured by the zoo on the full test set, from the weights as shipped
    say("000-linear-ae-is-pca", "linear AE 784-128-64-32 test MSE", manifest["models"]["mnist-linear"]["metrics"]["mse"], 0.0677)
    say("000-linear-ae-is-pca", "PCA-32 test MSE: the optimum of any linear AE", manifest["baselines"]["mnist"]["pca32_mse"])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m aeviz.bench lectures", description=__doc__.split("\n\n")[0])
    p.add_argument("--json", help="also write the figures to this file")
    p.add_argument("--quick", action="store_true", help="leave out the stacked AE and the capacity runs (minutes)")
    a = p.parse_args(argv)
    torch.set_num_threads(1)  # as a worker runs them: one thread each
    t0 = time.perf_counter()
    parts = [worked, vae_kl, tutorial, applications] + ([] if a.quick else [bottleneck_features_clusters, stacked_and_capacity])
    for part in parts:
        part()
    print(f"\n{sum(len(v) for v in OUT.values())} figures in {time.perf_counter() - t0:.0f} s")
    if a.json:
        Path(a.json).write_text(json.dumps(OUT, indent=1, default=float))
    return 0


if __name__ == "__main__":
    sys.exit(main())
