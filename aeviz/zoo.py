"""The pretrained zoo: one reproducible recipe per model, and the command that retrains them all.

`python -m aeviz zoo --data-dir DIR` trains every recipe on both datasets, saves float16 weights
into pretrained/, and rewrites pretrained/manifest.json with hashes, recipes and measured metrics.
The metrics are measured on the weights as saved (after the float16 round trip), so what the
manifest promises is what `load_pretrained` gives.
"""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import asdict, dataclass
from typing import Any

import torch

from aeviz import checkpoint, metrics
from aeviz.config import ModelConfig, TrainConfig
from aeviz.data import SAMPLE_DIR, ImageSet, load_dataset, load_sample, save_sample
from aeviz.noise import corrupt
from aeviz.presets import INFILL
from aeviz.training import evaluate, fit, psnr

DATASETS = ("mnist", "fashion")
SAMPLE_SIZE = 2000
DENOISE_SIGMA = 0.5  # the Keras example's "noise factor 0.5" (lecture 003)


@dataclass(frozen=True)
class Recipe:
    key: str
    title: str  # what the app shows
    model: ModelConfig
    train: TrainConfig
    seed: int = 0
    # Fashion-MNIST has no quality target for some models (the are on MNIST): a shorter run
    # there keeps the whole zoo within its 30 minutes
    fashion_epochs: int | None = None

    def train_for(self, dataset: str) -> TrainConfig:
        if dataset == "fashion" and self.fashion_epochs:
            return self.train.replace(epochs=self.fashion_epochs)
        return self.train


FC = ModelConfig(family="mlp", hidden=(128, 64), latent=32)  # lecture 000's FC autoencoder
VAE = ModelConfig(family="vae", hidden=(256, 128), recon="bce")  # Bernoulli likelihood: ELBO in nats
# Epochs are set so that the whole zoo retrains in under 30 min on 2 cores (18 models, 2 workers)
RECIPES = [
    Recipe("linear", "FC linear 784-128-64-32", FC.replace(family="linear"), TrainConfig(epochs=12)),
    Recipe("mlp", "FC nonlinear 784-128-64-32", FC, TrainConfig(epochs=15, lr=2e-3)),
    Recipe(
        "mlp-deep",
        "Deep FC 784-1000-500-250-32 with BatchNorm (Hinton & Salakhutdinov 2006's shape)",
        # 30 epochs: without BatchNorm MSE 0.0054; with it 0.0041 (train 0.0034: it starts to overfit);
        # with an L2 penalty on the weights too: 1e-5 0.0041, 3e-5 0.0040, 1e-4 0.0039
        FC.replace(hidden=(1000, 500, 250), batchnorm=True),
        TrainConfig(epochs=30, batch_size=256, lr=3e-3, weight_decay=1e-4),
        fashion_epochs=20,
    ),
    Recipe("mlp-2d", "FC nonlinear, 2-D latent", FC.replace(latent=2), TrainConfig(epochs=15, lr=2e-3)),
    Recipe("conv", "Conv AE (lecture 000)", ModelConfig(family="conv"), TrainConfig(epochs=30, lr=1e-2), fashion_epochs=20),
    Recipe(
        "sparse",
        "Sparse AE, 625 sigmoid units, rho 0.05",
        # tutorial 10's 625 units; its rho = 0.02, beta = 0.4 left rho_hat at 0.058 at our per-image loss scale
        # (beta = 3: 0.030), so the Q2 tutorial's rho = 0.05 with a firmer beta
        ModelConfig(family="sparse", hidden=(), latent=625, recon="bce", rho=0.05, beta=5.0),
        TrainConfig(epochs=10, lr=2e-3),
    ),
    Recipe(
        "denoising",
        "Denoising conv AE, gaussian sigma 0.5",
        # the lecture's conv AE with a 16-channel code and nearest + 3x3 conv upsampling (smooths the noise).
        # Cross-entropy: with squared error, MNIST's mostly black targets drove the sigmoid output into
        # saturation within the first epoch (an all-black image, no gradient left), at any learning rate
        ModelConfig(
            family="denoising",
            backbone="conv",
            channels=(16, 16),
            upsample="nearest",
            recon="bce",
            noise="gaussian",
            noise_level=DENOISE_SIGMA,
        ),
        TrainConfig(epochs=8, lr=3e-3),
    ),
    Recipe(
        "infill",
        "Denoising conv AE, grey blocks (infilling)",
        # lecture 002's infilling, trained for: the denoiser's architecture, holes of up to 11 x 11 pixels
        INFILL,
        TrainConfig(epochs=8, lr=3e-3),
    ),
    Recipe("vae-2d", "VAE, 2-D latent", VAE.replace(latent=2), TrainConfig(epochs=15, lr=2e-3)),
    Recipe("vae", "VAE, 10-D latent", VAE.replace(latent=10), TrainConfig(epochs=15, lr=2e-3)),
]


def recipe(key: str) -> Recipe:
    for r in RECIPES:
        if r.key == key:
            return r
    raise ValueError(f"unknown recipe {key!r}; choose from {[r.key for r in RECIPES]}")


@torch.no_grad()
def denoise_psnr(model: torch.nn.Module, test: ImageSet, sigma: float = DENOISE_SIGMA) -> dict[str, float]:
    """PSNR of the noisy input and of the model's output on it, same seeded noise for every model."""
    x = test.floats()
    x_tilde = corrupt(x, "gaussian", sigma, torch.Generator().manual_seed(0))
    x_hat = model.reconstruct(x_tilde)
    return {"noisy_psnr": psnr(metrics.mse(x_tilde, x)), "denoised_psnr": psnr(metrics.mse(x_hat, x))}


def train_one(dataset: str, key: str, threads: int = 1) -> tuple[str, dict[str, Any]]:
    """Train one recipe, save its float16 weights, and measure them: (name, manifest entry)."""
    from aeviz import build_model

    torch.set_num_threads(threads)
    r = recipe(key)
    name = f"{dataset}-{r.key}"
    train_set, test_set = load_dataset(dataset, "train"), load_dataset(dataset, "test")
    model = build_model(r.model, seed=r.seed)
    config = r.train_for(dataset).replace(seed=r.seed)
    history = fit(model, train_set, config)
    file = f"{name}.safetensors"
    meta = {"dataset": dataset, "recipe": config.to_dict(), "seed": r.seed}
    path = checkpoint.save(model, checkpoint.PRETRAINED_DIR / file, half=True, **meta)
    saved, _ = checkpoint.load(path)  # measure what ships: the float16 weights
    metrics = evaluate(saved, test_set)
    if r.model.family == "denoising":
        metrics.update(denoise_psnr(saved, test_set))
    return name, {
        "file": file,
        "sha256": checkpoint.sha256(path.read_bytes()),
        "title": r.title,
        "dataset": dataset,
        "config": saved.config.to_dict(),
        "recipe": asdict(config),
        "seed": r.seed,
        "train_seconds": round(history.seconds, 1),
        "threads": threads,
        "metrics": metrics,
        "sample_mse": evaluate(saved, load_sample(dataset))["mse"],
    }


def build(only: list[str] | None = None, datasets: tuple[str, ...] = DATASETS, jobs: int = 2) -> dict[str, Any]:
    """Retrain the zoo (or the named entries) and rewrite the manifest; returns the manifest.

    `jobs` worker processes with one torch thread each: these small models use two cores
    better side by side than split across both cores op by op.
    """
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from multiprocessing import get_context

    from tqdm import tqdm

    manifest = checkpoint.read_manifest()
    manifest.setdefault("models", {})
    SAMPLE_DIR.mkdir(parents=True, exist_ok=True)
    for dataset in datasets:
        if not (SAMPLE_DIR / f"{dataset}.npz").exists():
            save_sample(dataset, SAMPLE_SIZE, SAMPLE_DIR / f"{dataset}.npz")
    todo = [(d, r.key) for d in datasets for r in RECIPES if not only or f"{d}-{r.key}" in only]
    todo = _schedule(todo, manifest["models"])
    t_all = time.perf_counter()
    with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn")) as pool:
        futures = [pool.submit(train_one, d, k) for d, k in todo]
        for f in tqdm(as_completed(futures), total=len(futures), desc="zoo", unit="model"):
            name, entry = f.result()
            manifest["models"][name] = entry
            m = entry["metrics"]
            tqdm.write(f"{name}: {entry['train_seconds']:.0f} s, " + ", ".join(f"{k} {v:.4f}" for k, v in m.items()))
            _write(manifest)
    seconds = time.perf_counter() - t_all
    manifest["baselines"] = pca_baselines(datasets)
    _write(manifest)
    if set(todo) == {(d, r.key) for d in DATASETS for r in RECIPES}:
        manifest["zoo"] = {"seconds": round(seconds), "workers": jobs, "models": len(todo)}  # the whole zoo's wall time
        _write(manifest)
    tqdm.write(f"zoo: {len(todo)} models in {seconds:.0f} s with {jobs} workers")
    return manifest


def pca_baselines(datasets: tuple[str, ...] = DATASETS, ks: tuple[int, ...] = (2, 32)) -> dict[str, dict[str, float]]:
    """Test MSE of PCA with k components fitted on each training set: the optimum of any linear AE
    with a k-D code, which the app shows beside the lectures' numbers."""
    from aeviz.pca import pca_mse

    out = {}
    for dataset in datasets:
        train_set, test_set = load_dataset(dataset, "train").floats(), load_dataset(dataset, "test").floats()
        out[dataset] = {f"pca{k}_mse": round(pca_mse(test_set, k, fit_on=train_set), 6) for k in ks}
    return out


def _schedule(todo: list[tuple[str, str]], models: dict[str, Any]) -> list[tuple[str, str]]:
    """Longest first (the two workers then finish together), alternating conv and FC jobs.

    Two conv jobs side by side compete for memory bandwidth: 18 s an epoch each here, against
    13 s next to a fully connected job, which is bound by arithmetic instead.
    """
    todo = sorted(todo, key=lambda t: -_cost(f"{t[0]}-{t[1]}", models))
    is_conv = {t: "conv" in (recipe(t[1]).model.family, recipe(t[1]).model.backbone) for t in todo}
    conv, fc = [t for t in todo if is_conv[t]], [t for t in todo if not is_conv[t]]
    return [t for pair in itertools.zip_longest(fc, conv) for t in pair if t is not None]


def _cost(name: str, models: dict[str, Any]) -> float:
    """Expected training seconds: the last run's if the manifest has one, else a rough guess."""
    if name in models:
        return models[name]["train_seconds"]
    r = recipe(name.split("-", 1)[1])
    return r.train.epochs * {"conv": 4.0, "denoising": 6.0}.get(r.model.family, 1.0) * (1 + sum(r.model.hidden) / 500)


def _write(manifest: dict[str, Any]) -> None:
    order = {f"{d}-{r.key}": i for i, (d, r) in enumerate((d, r) for d in DATASETS for r in RECIPES)}
    manifest["models"] = dict(sorted(manifest["models"].items(), key=lambda kv: order.get(kv[0], len(order))))
    checkpoint.MANIFEST.write_text(json.dumps(manifest, indent=1) + "\n")
