"""The lectures' numbers as presets: a default (model, training) pair per family and dataset.

Sources: lecture 000 (784-128-64-32 FC AEs, the Conv16-pool-Conv8-pool conv AE), tutorial 10 in
lecture 004 (9-4-9 sigmoid AE, alpha = 0.1, cross-entropy; sparsity beta = 0.5, rho = 0.1; random
10x10 images with 49 / 144 hidden units; MNIST with 625 hidden units, rho = 0.02, beta = 0.4).
"""

from __future__ import annotations

from aeviz.config import ModelConfig, TrainConfig

FAMILY = {
    "linear": ModelConfig(family="linear"),
    "mlp": ModelConfig(family="mlp"),
    "conv": ModelConfig(family="conv"),
    "sparse": ModelConfig(family="sparse", hidden=(), latent=625, recon="bce", rho=0.02, beta=0.4),
    "denoising": ModelConfig(family="denoising", backbone="conv", noise="gaussian", noise_level=0.5),
    "vae": ModelConfig(family="vae", hidden=(512, 256), latent=16, recon="bce", beta=1.0),
}
TRAIN = TrainConfig(epochs=10, batch_size=128, lr=1e-3)
# the 1.9k-parameter conv AE wants a larger step: 10 epochs reach test MSE 0.0051 at 1e-2, 0.0064 at 5e-3
FAMILY_TRAIN = {"conv": TRAIN.replace(lr=1e-2)}

# Tutorial 10, Q1: a 9-4-9 autoencoder with sigmoid units, cross-entropy, full-batch gradient descent
PATTERNS_MODEL = ModelConfig(family="sparse", shape=(1, 3, 3), hidden=(), latent=4, recon="bce", beta=0.0, rho=0.1)
PATTERNS_SPARSE = PATTERNS_MODEL.replace(beta=0.5)
PATTERNS_TRAIN = TrainConfig(epochs=5000, batch_size=5, optimizer="sgd", lr=0.1, cosine=False)

# Tutorial 10, Q2: 100 random 10x10 images, one hidden layer, squared error
RANDOM_UNDER = ModelConfig(family="sparse", shape=(1, 10, 10), hidden=(), latent=49, beta=0.0, rho=0.05)
RANDOM_OVER = RANDOM_UNDER.replace(latent=144)
RANDOM_SPARSE = RANDOM_OVER.replace(beta=0.5)
RANDOM_TRAIN = TrainConfig(epochs=2000, batch_size=100, lr=1e-2)


def default(family: str, dataset: str = "mnist") -> tuple[ModelConfig, TrainConfig]:
    """The lecture's preset for `family` on `dataset` ('mnist', 'fashion', 'patterns', 'random')."""
    if family not in FAMILY:
        raise ValueError(f"unknown model {family!r}; choose from {sorted(FAMILY)}")
    if dataset not in ("patterns", "random"):
        return FAMILY[family], FAMILY_TRAIN.get(family, TRAIN)
    if family == "conv":
        raise ValueError("the conv autoencoder pools twice and needs 28x28 images; the toy sets are 3x3 and 10x10")
    plain, sparse, recipe = (
        (PATTERNS_MODEL, PATTERNS_SPARSE, PATTERNS_TRAIN)
        if dataset == "patterns"
        else (RANDOM_UNDER, RANDOM_SPARSE, RANDOM_TRAIN)
    )
    if family == "sparse":
        return sparse, recipe
    # the tutorial's one-hidden-layer sigmoid net, in this family's clothes
    toy = FAMILY[family].replace(shape=plain.shape, hidden=(), latent=plain.latent, recon=plain.recon, backbone="mlp")
    return toy.replace(code_activation="sigmoid"), recipe
