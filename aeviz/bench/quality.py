"""`python -m aeviz.bench quality`: every pretrained model's test metrics beside its anchors.

Anchors: PCA at the same latent size (the optimum any linear autoencoder can reach), and the
lectures' table (lecture 000, MNIST, 32-D codes: linear 0.0677, nonlinear 0.0306, conv 0.0130).
Test metrics are measured now, on the full test split, from the weights as shipped.
"""

from __future__ import annotations

import argparse
import math

from aeviz import checkpoint, evaluate
from aeviz.data import load_dataset, load_sample
from aeviz.pca import pca_mse
from aeviz.zoo import denoise_psnr

LECTURE = {"mnist-linear": 0.0677, "mnist-mlp": 0.0306, "mnist-conv": 0.0130}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m aeviz.bench quality")
    p.add_argument("--datasets", nargs="*", default=["mnist", "fashion"])
    a = p.parse_args(argv)
    full = checkpoint.read_manifest()
    manifest = full["models"]
    if "zoo" in full:
        z = full["zoo"]
        print(f"zoo: {z['models']} models retrained in {z['seconds'] / 60:.1f} min of wall time with {z['workers']} workers")
    print(f"{'model':20s} {'latent':>6s} {'test MSE':>9s} {'PSNR':>6s} {'PCA MSE':>8s} {'lecture':>8s}  other")
    pca_cache: dict[tuple[str, int], float] = {}
    for dataset in a.datasets:
        train, test = load_dataset(dataset, "train"), load_dataset(dataset, "test")
        x_train, x_test = train.floats(), test.floats()
        conv_plain = None
        for name, info in manifest.items():
            if info["dataset"] != dataset:
                continue
            model = checkpoint.load_pretrained(name)
            m = evaluate(model, test)
            k = math.prod(model.latent_shape)  # conv codes are feature maps: count their values
            if (dataset, k) not in pca_cache and k <= 784:
                pca_cache[dataset, k] = pca_mse(x_test, k, fit_on=x_train)
            other = [f"trained {info['train_seconds'] / 60:.1f} min"]
            if "elbo" in m:
                other.append(f"ELBO {m['elbo']:.1f} nats")
            if "rho_hat" in m:
                rho = info["config"]["rho"]
                other.append(f"rho_hat {m['rho_hat']:.4f} vs rho {rho} ({100 * (m['rho_hat'] / rho - 1):+.0f}%)")
            if info["config"]["family"] == "conv":
                conv_plain = model
            if info["config"]["family"] == "denoising":
                d = denoise_psnr(model, test)
                other.append(f"sigma 0.5: noisy {d['noisy_psnr']:.2f} dB -> denoised {d['denoised_psnr']:.2f} dB")
                if conv_plain is not None:
                    other.append(f"plain conv AE on the same noise {denoise_psnr(conv_plain, test)['denoised_psnr']:.2f} dB")
            sample = evaluate(model, load_sample(dataset))["mse"]
            other.append(f"sample MSE {sample:.5f} (manifest {info['sample_mse']:.5f})")
            pca = pca_cache.get((dataset, k), float("nan"))
            lecture = LECTURE.get(name, float("nan"))
            print(
                f"{name:20s} {k:6d} {m['mse']:9.4f} {m['psnr']:6.2f} {pca:8.4f} {lecture:8.4f}  " + "; ".join(other),
                flush=True,
            )
        del x_train
    return 0
