"""The pretrained zoo: one reproducible recipe per model, and the command that retrains them all.

`python -m aeviz zoo --data-dir DIR` trains every recipe on both datasets, saves float16 weights
into pretrained/, and rewrites pretrained/manifest.json with hashes, recipes and measured metrics.
The metrics are measured on the weights as saved (after the float16 round trip), so what the
manifest promises is what `load_pretrained` gives.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from typing import Any

import torch

from aeviz import checkpoint
from aeviz.config import ModelConfig, TrainConfig
from aeviz.data import SAMPLE_DIR, ImageSet, load_dataset, load_sample, save_sample
from aeviz.noise import corrupt
from aeviz.train import evaluate, psnr, train

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


FC = ModelConfig(family="mlp", hidden=(128, 64), latent=32)  # lecture 000's FC autoencoder
RECIPES = [
    Recipe("linear", "FC linear 784-128-64-32", FC.replace(family="linear"), TrainConfig(epochs=12)),
    Recipe("mlp", "FC nonlinear 784-128-64-32", FC, TrainConfig(epochs=30, lr=2e-3)),
    Recipe(
        "mlp-deep",
        "Deep FC 784-1000-500-250-32 (Hinton & Salakhutdinov 2006)",
        FC.replace(hidden=(1000, 500, 250)),
        TrainConfig(epochs=30, batch_size=128, lr=1e-3),
    ),
    Recipe("mlp-2d", "FC nonlinear, 2-D latent", FC.replace(hidden=(512, 128), latent=2), TrainConfig(epochs=20, lr=2e-3)),
    Recipe("conv", "Conv AE (lecture 000)", ModelConfig(family="conv"), TrainConfig(epochs=30, lr=1e-2)),
    Recipe(
        "sparse",
        "Sparse AE, 625 sigmoid units, rho 0.02",
        ModelConfig(family="sparse", hidden=(), latent=625, recon="bce", rho=0.02, beta=0.4),
        TrainConfig(epochs=15, lr=2e-3),
    ),
    Recipe(
        "denoising",
        "Denoising conv AE, gaussian sigma 0.5",
        ModelConfig(family="denoising", backbone="conv", channels=(32, 32), noise="gaussian", noise_level=DENOISE_SIGMA),
        TrainConfig(epochs=15, lr=5e-3),
    ),
    Recipe(
        "vae-2d",
        "VAE, 2-D latent",
        ModelConfig(family="vae", hidden=(512, 256), latent=2, recon="bce"),
        TrainConfig(epochs=30, lr=2e-3),
    ),
    Recipe(
        "vae",
        "VAE, 10-D latent",
        ModelConfig(family="vae", hidden=(512, 256), latent=10, recon="bce"),
        TrainConfig(epochs=30, lr=2e-3),
    ),
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
    return {"noisy_psnr": psnr((x_tilde - x).square().mean().item()), "denoised_psnr": psnr((x_hat - x).square().mean().item())}


def build(only: list[str] | None = None, datasets: tuple[str, ...] = DATASETS) -> dict[str, Any]:
    """Retrain the zoo (or the named entries) and rewrite the manifest; returns the manifest."""
    from tqdm import tqdm

    manifest = checkpoint.read_manifest()
    manifest.setdefault("models", {})
    SAMPLE_DIR.mkdir(parents=True, exist_ok=True)
    todo = [(d, r) for d in datasets for r in RECIPES if not only or f"{d}-{r.key}" in only]
    t_all = time.perf_counter()
    for dataset, r in tqdm(todo, desc="zoo", unit="model"):
        name = f"{dataset}-{r.key}"
        sample_path = SAMPLE_DIR / f"{dataset}.npz"
        if not sample_path.exists():
            save_sample(dataset, SAMPLE_SIZE, sample_path)
        train_set, test_set = load_dataset(dataset, "train"), load_dataset(dataset, "test")
        from aeviz import build_model

        model = build_model(r.model, seed=r.seed)
        bar = tqdm(total=r.train.epochs, desc=name, unit="epoch", leave=False)
        history = train(model, train_set, r.train.replace(seed=r.seed), on_epoch=lambda e, bar=bar: bar.update(1))
        bar.close()
        file = f"{name}.safetensors"
        path = checkpoint.save(
            model, checkpoint.PRETRAINED_DIR / file, half=True, dataset=dataset, recipe=r.train.to_dict(), seed=r.seed
        )
        saved, _ = checkpoint.load(path)  # measure what ships: the float16 weights
        metrics = evaluate(saved, test_set)
        if r.model.family == "denoising":
            metrics.update(denoise_psnr(saved, test_set))
        entry = {
            "file": file,
            "sha256": checkpoint.sha256(path.read_bytes()),
            "title": r.title,
            "dataset": dataset,
            "config": json.loads(r.model.to_json()),
            "recipe": asdict(r.train),
            "seed": r.seed,
            "train_seconds": round(history.seconds, 1),
            "metrics": metrics,
            "sample_mse": evaluate(saved, load_sample(dataset))["mse"],
        }
        manifest["models"][name] = entry
        tqdm.write(f"{name}: {history.seconds:.0f} s, " + ", ".join(f"{k} {v:.4f}" for k, v in metrics.items()))
        checkpoint.MANIFEST.write_text(json.dumps(manifest, indent=1, sort_keys=False) + "\n")
    tqdm.write(f"zoo: {len(todo)} models in {time.perf_counter() - t_all:.0f} s")
    return manifest
