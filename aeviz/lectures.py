"""The lecture map: every teachable item of the five lectures, where it lives in the app, and how far.

One catalogue for the Lecture map page and for `python -m aeviz lectures --json`. An item's `url`
is a path and query string relative to the app's root that opens its place (page, view, lesson).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from urllib.parse import urlencode

LECTURES = {
    "000": "FunML lecture 18: autoencoders (FC, conv, unpooling, transposed convolution)",
    "001": "Deep learning & applications: autoencoders, capacity, VAEs",
    "002": "CS109B lecture 26: autoencoders as compression, bottlenecks, applications",
    "003": "Deep learning & applications: worked examples, sparse, denoising, stacked AEs",
    "004": "Tutorial 10: autoencoders (Q1 patterns, Q2 random images, Q3 MNIST)",
}
STATUSES = ("live", "partial", "missing")


@dataclass(frozen=True)
class Item:
    id: str
    lecture: str
    title: str
    status: str  # live: in the app, with the lecture's own numbers; partial; missing
    page: str = ""  # the page's URL path ("" is Overview, the default page)
    params: dict[str, str] = field(default_factory=dict)
    note: str = ""  # for partial or missing: what is not there

    @property
    def url(self) -> str:
        query = urlencode(self.params)
        return f"/{self.page}" + (f"?{query}" if query else "")

    def to_dict(self) -> dict:
        d = asdict(self)
        d.pop("params")
        d.pop("page")
        return {**d, "url": self.url}


def _i(id: str, title: str, page: str = "", status: str = "live", note: str = "", **params: str) -> Item:
    return Item(id, id[:3], title, status, page, params, note)


LESSON = "lessons"
ITEMS: list[Item] = [
    # --- 000: FunML lecture 18 ---------------------------------------------------------------------
    _i("000-unsupervised", "Unsupervised learning: an AE learns a lower-dimensional Z from unlabelled X"),
    _i("000-pca", "PCA as linear dimensionality reduction: Z = X V_K, X̂ = X V_K V_Kᵀ", LESSON, lesson="pca"),
    _i("000-linear-ae-is-pca", "A linear AE with squared error learns PCA's subspace", LESSON, lesson="pca"),
    _i("000-fc-architecture", "FC AE 784-128-64-32, ReLU inside, sigmoid output", model="mnist-mlp"),
    _i("000-mse-slide", "Linear vs nonlinear vs conv: MSE 0.0677 / 0.0306 / 0.0130", dataset="mnist"),
    _i("000-reconstructions", "Reconstructions: lossy, blurrier than the input", "reconstructions", model="mnist-mlp"),
    _i("000-anomaly", "Data-specific: used for anomaly detection", "upload"),
    _i("000-filters-layer1", "Filters of layer 1: 128 filters of 28×28, linear vs nonlinear", "filters", model="mnist-mlp"),
    _i("000-filters-deeper", "Filters of layers 2 and 3: 64 of 8×16, 32 of 8×8", "filters", model="mnist-linear"),
    _i("000-latent-2d", "2-D latent space coloured by class: weak discriminability", "latent", model="mnist-mlp-2d"),
    _i(
        "000-latent-gaps",
        "Discontinuity: codes in the gaps decode to unrealistic digits",
        "latent",
        model="mnist-mlp-2d",
        view="Decoded plane",
    ),
    _i("000-topic-space", "A 2-D topic space of documents", status="missing", note="text data: the app works on images"),
    _i("000-conv-ae", "Conv AE: Conv16-pool-Conv8-pool, two 2×2 stride-2 transposed convolutions", "filters", model="mnist-conv"),
    _i("000-unpool-nearest", "Unpooling: nearest neighbour", LESSON, lesson="upsampling"),
    _i("000-bed-of-nails", "Unpooling: bed of nails", LESSON, lesson="upsampling"),
    _i("000-max-unpool", "Max-unpooling with the pooling's indices", LESSON, lesson="upsampling"),
    _i("000-transposed-conv", "Transposed convolution, 2×2 stride 2 and 3×3 stride 2 pad 1", LESSON, lesson="upsampling"),
    _i("000-not-an-inverse", "A transposed convolution is not the inverse of a convolution", LESSON, lesson="upsampling"),
    _i("000-output-size", "Output size: s (n − 1) + k − 2p, and the convolution's", LESSON, lesson="upsampling"),
    # --- 001 ---------------------------------------------------------------------------------------
    _i("001-generative", "Generative modelling: sample new images from the latent space", "vae"),
    _i("001-ae-vs-compression", "AEs vs MP3/JPEG: data-specific, lossy, learned", LESSON, lesson="capacity"),
    _i(
        "001-undercomplete",
        "Undercomplete: a code smaller than the input",
        "reconstructions",
        view="Bottleneck sizes · linear AE vs PCA",
    ),
    _i("001-loss", "Loss ‖x − g(f(x))‖², h = σ(Wx + b), x′ = σ(W′h + b′)", LESSON, lesson="worked"),
    _i("001-overcomplete", "Overcomplete: the AE learns to copy", LESSON, lesson="capacity"),
    _i("001-one-d-code", "A 1-D code and a powerful encoder memorise the training set", LESSON, lesson="capacity"),
    _i("001-types", "Types: vanilla, multilayer, stacked, deep, conv, regularised", dataset="mnist"),
    _i("001-stacked", "Stacked autoencoder", LESSON, lesson="stacked"),
    _i("001-denoising", "Denoising autoencoder", "denoise"),
    _i("001-conv", "Convolutional autoencoder", "filters", model="mnist-conv", view="Feature maps of one input"),
    _i("001-vae-mean-std", "VAE: the encoder gives a mean and a standard deviation", LESSON, lesson="vae_math"),
    _i("001-vae-loss", "VAE loss = reconstruction + regularisation (the ELBO's parts)", LESSON, lesson="vae_math"),
    _i("001-kl", "KL(q(z|x) ‖ N(0, I)), the sign corrected", LESSON, lesson="vae_math"),
    _i("001-reparameterisation", "Reparameterisation: z = μ + σ ⊙ ε", LESSON, lesson="vae_math"),
    _i("001-perturbation", "Latent perturbation: sweep one dimension, keep the rest", "vae", model="mnist-vae"),
    _i("001-tied", "Tied weights: x′ = σ(Wᵀ h + b′)", LESSON, lesson="applications"),
    _i("001-errata", "Slips: (f∘g) for g∘f, the KL's sign", LESSON, lesson="errata"),
    # --- 002 ---------------------------------------------------------------------------------------
    _i("002-self-supervised", "Self-supervised: the input is its own target", "train"),
    _i("002-lossy", "Lossy vs lossless: the reconstruction loss measures the loss", "reconstructions"),
    _i("002-compression", "Compression: bottleneck ratio, in numbers and in bytes", LESSON, lesson="applications"),
    _i("002-simplest", "The simplest AE: one FC layer each way", LESSON, lesson="bottleneck"),
    _i("002-latents-20-10-2", "MNIST with 20, 10 and 2 latents", LESSON, lesson="bottleneck"),
    _i("002-deeper", "Deeper at the same 20 latents", LESSON, lesson="bottleneck"),
    _i("002-generalisation", "An AE does not reconstruct what it never saw", LESSON, lesson="capacity"),
    _i("002-latent-pca", "The latent space projected on 2 principal components", "latent", model="mnist-mlp"),
    _i("002-denoising", "Application: denoising", "denoise"),
    _i("002-infilling", "Application: infilling, by a denoiser trained on grey blocks", LESSON, lesson="applications"),
    _i(
        "002-colouring",
        "Application: colouring, gray in, colour out",
        LESSON,
        status="partial",
        note="needs colour images, and the app ships none: upload a colour set (or fetch CIFAR-10 when online), then "
        "train the colouring preset",
        lesson="applications",
    ),
    _i(
        "002-representation",
        "Representation matters: a line in φ(x) = x² fits where one in x cannot",
        LESSON,
        lesson="features",
    ),
    _i("002-data-specific", "Data-specific: an MNIST AE on Fashion-MNIST and on a class's own images", LESSON, lesson="capacity"),
    _i("002-anomaly", "Application: anomaly detection", "upload"),
    _i(
        "002-blending",
        "Application: blending, by walking between codes",
        "latent",
        model="mnist-vae-2d",
        view="Walk between images",
    ),
    _i("002-clustering", "Codes that cluster by content (contextual learning)", LESSON, lesson="applications"),
    _i(
        "002-faces",
        "Faces and photos (Olivetti, the eagle)",
        "data",
        status="partial",
        note="the app ships no faces: upload them (e.g. Olivetti as an .npz, photos in a zip, colour 64×64) on Your images",
    ),
    # --- 003 ---------------------------------------------------------------------------------------
    _i("003-definition", "f(X) = s(Wᴱ X + bᴱ), g(Z) = s(Wᴰ Z + bᴰ)", LESSON, lesson="worked"),
    _i("003-three-input", "The 3-input ReLU example, with its Wᵀz slip", LESSON, lesson="worked"),
    _i("003-losses", "Squared error, or cross-entropy for bit-like inputs", "train"),
    _i("003-under-over", "Undercomplete compresses, overcomplete needs sparsity", LESSON, lesson="q2"),
    _i("003-conv-example", "A 6×6 image through conv, ReLU, pool, conv, upsample", LESSON, lesson="worked"),
    _i("003-conv-matrix", "Transposed convolution as the transposed convolution matrix", LESSON, lesson="upsampling"),
    _i("003-bilinear", "Bilinear interpolation, 40/30/20/10 to 4×4", LESSON, lesson="upsampling"),
    _i("003-kl-curve", "KL(ρ ‖ ρ̂): zero at ρ̂ = ρ, growing on either side", LESSON, lesson="sparsity"),
    _i("003-decomposition", "A digit as a sum of strokes: 7 = 1 × ▢ + … + 0.8 × ▢", LESSON, lesson="sparsity"),
    _i("003-rho-hat", "ρ̂ over the training set, and over a batch", LESSON, lesson="sparsity"),
    _i("003-sparse-cost", "J_S = J + β Σ KL(ρ ‖ ρ̂ⱼ): sparse codes", "filters", model="mnist-sparse", view="Sparse codes"),
    _i("003-denoising-training", "Denoising: minimise L(x, x̂) with x̂ from x̃, noise factor 0.5", "denoise"),
    _i("003-stacked", "Stacked AE: train layer by layer, then a classifier", LESSON, lesson="stacked"),
    _i("003-features", "Codes as a classifier's features", LESSON, lesson="features"),
    _i(
        "003-segmentation",
        "Encoder-decoders for segmentation (DeepSmoke): digit masks",
        LESSON,
        lesson="applications",
    ),
    _i("003-keras", "The Keras results: conv AE 88 %, denoising AE 92 %, and what that accuracy measures", dataset="mnist"),
    # --- 004: tutorial 10 --------------------------------------------------------------------------
    _i("004-q1", "Q1: 9-4-9 AE on five 3×3 patterns, α = 0.1", LESSON, lesson="q1"),
    _i("004-q1-sparse", "Q1: with sparsity β = 0.5, ρ = 0.1", LESSON, lesson="q1"),
    _i("004-q2a", "Q2a: undercomplete, 49 hidden, on 100 random 10×10 images", LESSON, lesson="q2"),
    _i("004-q2b", "Q2b: overcomplete, 144 hidden", LESSON, lesson="q2"),
    _i("004-q2c", "Q2c: sparse, 144 hidden, ρ = 0.05, β = 0.5", LESSON, lesson="q2"),
    _i("004-q3a", "Q3a: sparse denoising AE, 625 hidden, 10 % masking, ρ = 0.02, β = 0.4", LESSON, lesson="q3"),
    _i("004-q3b", "Q3b: a second hidden layer of 100", LESSON, lesson="stacked"),
    _i("004-q3c", "Q3c: a softmax layer on top: a classifier", LESSON, lesson="stacked"),
    _i("004-deep-stacked", "Deep stacked AEs: greedy layer-wise training", LESSON, lesson="stacked"),
    _i("004-semi-supervised", "Semi-supervised: many images, few labels", LESSON, lesson="stacked"),
]


def items(lecture: str | None = None) -> list[Item]:
    return [i for i in ITEMS if lecture is None or i.lecture == lecture]


def counts() -> dict[str, int]:
    return {s: sum(i.status == s for i in ITEMS) for s in STATUSES} | {"items": len(ITEMS)}
