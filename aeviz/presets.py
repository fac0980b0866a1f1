"""The lectures' numbers as presets: a default (model, training) pair per family, and every lecture
recipe a class can train, shared by the Train page and `python -m aeviz train --preset`.

Sources: lecture 000 (784-128-64-32 FC AEs, the Conv16-pool-Conv8-pool conv AE), lecture 002 (one
layer with 20, 10 and 2 latents), tutorial 10 in lecture 004 (9-4-9 sigmoid AE, alpha = 0.1,
cross-entropy; sparsity beta = 0.5, rho = 0.1; random 10x10 images with 49 / 144 hidden units;
MNIST with 625 hidden units, 10 % masking noise, rho = 0.02, beta = 0.4).
"""

from __future__ import annotations

from dataclasses import dataclass

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

# Tutorial 10, Q3 as set: a sparse denoising AE, 625 sigmoid hidden units, 10 % multiplicative
# (masking) noise, rho = 0.02, beta = 0.4, cross-entropy, plain SGD with alpha = 0.1
Q3_MODEL = ModelConfig(family="sparse", hidden=(), latent=625, recon="bce", rho=0.02, beta=0.4, noise="masking", noise_level=0.1)
Q3_TRAIN = TrainConfig(epochs=3, batch_size=128, optimizer="sgd", lr=0.1, cosine=False, max_samples=20_000)


# Lecture 002's infilling and colouring, as denoisers: the corruption is a grey hole, or the colour taken away
INFILL = ModelConfig(
    family="denoising", backbone="conv", channels=(16, 16), upsample="nearest", recon="bce", noise="block", noise_level=0.4
)
COLOURING = INFILL.replace(shape=(3, 32, 32), channels=(32, 32), noise="gray", noise_level=1.0)


@dataclass(frozen=True)
class Preset:
    title: str
    lecture: str  # "000" ... "004", the file in the lectures' folder
    dataset: str
    model: ModelConfig
    train: TrainConfig
    note: str = ""  # where the preset departs from the lecture, and why


SHORT = TRAIN.replace(epochs=5)  # a classroom run: a minute or two on one core
PRESETS: dict[str, Preset] = {
    "fc-nonlinear": Preset("Lecture 000 · FC nonlinear 784-128-64-32", "000", "mnist", FAMILY["mlp"], SHORT),
    "fc-linear": Preset("Lecture 000 · FC linear 784-128-64-32", "000", "mnist", FAMILY["linear"], SHORT),
    "conv": Preset(
        "Lecture 000 · Conv AE",
        "000",
        "mnist",
        FAMILY["conv"],
        FAMILY_TRAIN["conv"].replace(epochs=3),
        note="Adam with α = 0.01 and 3 epochs; the lecture trains longer (the pretrained conv AE: 30 epochs)",
    ),
    **{
        f"one-layer-{k}": Preset(
            f"Lecture 002 · one layer, {k} latents", "002", "mnist", ModelConfig(family="mlp", hidden=(), latent=k), SHORT
        )
        for k in (2, 10, 20)
    },
    "deep-20": Preset(
        "Lecture 002 · deep 784-128-64-20", "002", "mnist", ModelConfig(family="mlp", hidden=(128, 64), latent=20), SHORT
    ),
    "q1": Preset("Tutorial 10 Q1 · 9-4-9 on five patterns, α = 0.1", "004", "patterns", PATTERNS_MODEL, PATTERNS_TRAIN),
    "q1-sparse": Preset("Tutorial 10 Q1 · with sparsity β = 0.5, ρ = 0.1", "004", "patterns", PATTERNS_SPARSE, PATTERNS_TRAIN),
    "q2a": Preset("Tutorial 10 Q2a · undercomplete, 49 hidden", "004", "random", RANDOM_UNDER, RANDOM_TRAIN),
    "q2b": Preset("Tutorial 10 Q2b · overcomplete, 144 hidden", "004", "random", RANDOM_OVER, RANDOM_TRAIN),
    "q2c": Preset("Tutorial 10 Q2c · sparse, 144 hidden, ρ = 0.05, β = 0.5", "004", "random", RANDOM_SPARSE, RANDOM_TRAIN),
    "q3": Preset(
        "Tutorial 10 Q3 · sparse denoising, 625 hidden, 10 % masking, ρ = 0.02, β = 0.4, α = 0.1",
        "004",
        "mnist",
        Q3_MODEL,
        Q3_TRAIN,
        note="3 epochs on 20,000 images: the tutorial leaves the number of iterations open",
    ),
    "stacked": Preset(
        "Tutorial 10 Q3b · stacked 784-625-100, layer by layer",
        "004",
        "mnist",
        ModelConfig(
            family="mlp",
            hidden=(625,),
            latent=100,
            activation="sigmoid",
            code_activation="sigmoid",
            recon="bce",
            sparsity="kl",
            rho=0.02,
            beta=0.4,
            noise="masking",
            noise_level=0.1,
        ),
        Q3_TRAIN.replace(greedy=True, optimizer="adam", lr=1e-3, max_samples=10_000),
        note="Adam with α = 0.001 on 10,000 images, so that both layers train in a class's minute; the tutorial's SGD "
        "with α = 0.1 is the Q3 preset",
    ),
    "infill": Preset(
        "Lecture 002 · infilling: a denoising conv AE on grey blocks",
        "002",
        "mnist",
        INFILL,
        TRAIN.replace(epochs=3, lr=3e-3),
        note="the lecture shows infilling without a recipe: the denoiser's architecture, trained on grey blocks of up "
        "to 40 % of the image's side at random places, 3 epochs (the pretrained infilling AE: 8)",
    ),
    "colour": Preset(
        "Lecture 002 · colouring: gray in, colour out (on a colour set)",
        "002",
        "",  # the session's colour set: the app ships none (Your images; CIFAR-10 there when online)
        COLOURING,
        TRAIN.replace(epochs=50, batch_size=16, lr=3e-3),
        note="needs colour images: upload a colour set on Your images (or fetch CIFAR-10 there when online). The lecture "
        "shows colouring without a recipe: 50 epochs take seconds on a class's few hundred pictures (generated shapes: "
        "half the gray input's error); on CIFAR-10, lower the training images",
    ),
    "vae-2d": Preset(
        "Lecture 001 · VAE, 2-D latent, β = 1",
        "001",
        "mnist",
        ModelConfig(family="vae", hidden=(256, 128), latent=2, recon="bce"),
        SHORT,
    ),
}


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
    return (toy.replace(code_activation="sigmoid") if family != "vae" else toy), recipe


def code_shape(config: ModelConfig) -> tuple[int, ...]:
    """The code's shape, read from the model's skeleton: a conv AE's code is its 8x7x7 feature maps,
    whatever `latent` says."""
    from aeviz.models import skeleton

    return skeleton(config).latent_shape


def from_form(w: dict, shape: tuple[int, int, int], toy: bool) -> tuple[ModelConfig, TrainConfig]:
    """The Train page's widget values as configs; ValueError (with the reason, for the student) for
    anything a family cannot take. A crafted client can send any value: nothing is trusted."""
    try:
        hidden = tuple(int(h) for h in str(w["hidden"]).replace(" ", "").split(",") if h)
    except ValueError:
        raise ValueError(f"hidden sizes must be whole numbers separated by commas, got {w['hidden']!r}") from None
    num = {k: w[k] for k in ("latent", "epochs", "batch_size", "max_samples")}
    if any(not float(v).is_integer() for v in num.values() if v is not None):
        raise ValueError("latent size, epochs, batch size and training images must be whole numbers")
    model = ModelConfig(
        family=w["family"], shape=shape, hidden=hidden, latent=int(w["latent"]),
        **{k: w[k] for k in ("activation", "code_activation", "recon", "sparsity", "noise", "upsample", "backbone")},
        tied=bool(w["tied"]), rho=float(w["rho"]), beta=float(w["beta"]), noise_level=float(w["noise_level"]),
    )  # fmt: skip
    train = TrainConfig(
        epochs=int(w["epochs"]), batch_size=int(w["batch_size"]), optimizer=w["optimizer"], lr=float(w["lr"]),
        max_samples=None if toy else int(w["max_samples"]), greedy=bool(w["greedy"]),
    )  # fmt: skip
    return model, train


def for_assignment(preset: str, param: str, value: float) -> tuple[str, ModelConfig, TrainConfig]:
    """(dataset, model, training) of a class's assignment: a lecture's preset with the swept
    hyper-parameter at one student's value. ValueError (for the teacher) when the preset cannot take it."""
    from aeviz.store.classes import PARAMS

    p = PRESETS.get(preset)
    if p is None or not p.dataset:
        raise ValueError(f"choose a preset on one of the app's datasets, not {preset!r}")
    if param not in PARAMS:
        raise ValueError(f"the class can sweep {', '.join(PARAMS)}")
    _, where, _, whole, _ = PARAMS[param]
    value = round(value) if whole else float(value)
    if where == "model":
        conv = p.model.family == "conv" or (p.model.family == "denoising" and p.model.backbone == "conv")
        if param == "latent" and conv:
            raise ValueError("the conv AE's code is its feature maps: sweep another setting, or pick another preset")
        sparse = p.model.family == "sparse" or p.model.sparsity != "none"
        if param == "rho" and not sparse:
            raise ValueError(f"{p.title} has no sparsity penalty: ρ changes nothing; pick a sparse preset")
        if param == "noise_level" and p.model.family != "denoising" and p.model.noise_level == 0:
            raise ValueError(f"{p.title} adds no noise: pick a denoising preset to sweep the noise level")
        if param == "beta" and p.model.family != "vae" and not sparse:
            raise ValueError(f"{p.title} has no β: pick a VAE or a sparse preset")
        return p.dataset, p.model.replace(**{param: value}), p.train
    return p.dataset, p.model, p.train.replace(**{param: value})
