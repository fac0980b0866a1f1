"""Stacked autoencoders (lectures 003 and 004): greedy layer-wise pretraining, then a softmax on top.

Step 1 (unsupervised): train one autoencoder per layer, each on the codes of the one before it
(784 -> 625 reconstructs the images, 625 -> 100 reconstructs the first layer's codes).
Step 2 (supervised): stack the encoders, put a softmax layer on top and fine-tune the whole network
end to end on the labelled images, which may be few: the semi-supervised setting.

The regime works on any fully connected family: `pretrain` trains the encoder layers of an MLP
autoencoder in place, one pair (encoder layer, its mirror decoder layer) at a time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from aeviz.config import ModelConfig, TrainConfig
from aeviz.data import ImageSet
from aeviz.models.base import Autoencoder, kl_bernoulli, reconstruction_loss
from aeviz.noise import corrupt


@dataclass
class Curves:
    pretrain: list[list[float]] = field(default_factory=list)  # per layer: loss per epoch
    finetune: list[dict[str, float]] = field(default_factory=list)  # per epoch: loss, train and test accuracy


def _layers(model: Autoencoder) -> list[tuple[nn.Sequential, nn.Sequential]]:
    """(encoder step k, its mirror decoder step) for each layer of an MLP autoencoder, input side first.

    A step is a Linear with what follows it up to the next Linear (BatchNorm, activation)."""

    def steps(seq: nn.Sequential) -> list[nn.Sequential]:
        out: list[list[nn.Module]] = []
        for m in seq:
            if isinstance(m, nn.Linear):
                out.append([m])
            elif out and not isinstance(m, nn.Unflatten | nn.Flatten):
                out[-1].append(m)
        return [nn.Sequential(*s) for s in out]

    enc, dec = steps(model.encoder), steps(model.decoder)
    if len(enc) != len(dec):
        raise ValueError("greedy pretraining needs a mirrored fully connected autoencoder")
    return list(zip(enc, dec[::-1], strict=True))


def pretrain(
    model: Autoencoder,
    data: ImageSet,
    config: TrainConfig,
    *,
    on_epoch: Callable[[int, int, float], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> list[list[float]]:
    """Greedy layer-wise pretraining of an MLP autoencoder, in place: each encoder layer and its
    mirror decoder layer learn to reconstruct the previous layer's output (the images, for the first);
    the model's corruption and sparsity settings apply to every layer, as in tutorial 10's Q3."""
    cfg: ModelConfig = model.config
    g = torch.Generator().manual_seed(config.seed)
    x_all = data.floats().flatten(1)  # (N, P): the input of the first layer
    curves = []
    for k, (enc, dec) in enumerate(_layers(model)):
        params = [*enc.parameters(), *dec.parameters()]
        opt = (torch.optim.SGD(params, lr=config.lr, momentum=config.momentum) if config.optimizer == "sgd"
               else torch.optim.Adam(params, lr=config.lr))  # fmt: skip
        losses = []
        enc.train(), dec.train()
        for epoch in range(config.epochs):
            perm, total = torch.randperm(len(x_all), generator=g), 0.0
            for i in range(0, len(x_all), config.batch_size):
                if should_stop is not None and should_stop():
                    return [*curves, losses]
                x = x_all[perm[i : i + config.batch_size]]
                x_in = corrupt(x, cfg.noise, cfg.noise_level, g) if k == 0 and cfg.noise_level > 0 else x
                h = enc(x_in)
                x_hat = dec(h)
                # the first layer rebuilds pixels with the model's own loss; deeper ones rebuild codes, squared error
                loss = reconstruction_loss(x_hat.clamp(0, 1) if k == 0 else x_hat, x, cfg.recon if k == 0 else "mse")
                if cfg.sparsity == "kl" and cfg.beta > 0:  # h is a sigmoid layer's output: rho_hat is its mean
                    loss = loss + cfg.beta * kl_bernoulli(cfg.rho, h.mean(0)).sum()
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                total += loss.item() * len(x)
            losses.append(total / len(x_all))
            if on_epoch is not None:
                on_epoch(k, epoch, losses[-1])
        with torch.no_grad():
            enc.eval()
            x_all = torch.cat([enc(x_all[i : i + 2000]) for i in range(0, len(x_all), 2000)])
        curves.append(losses)
    model.eval()
    return curves


class StackedClassifier(nn.Module):
    """The stacked encoder (pretrained, or fresh) with a softmax layer on top: 784 -> ... -> 10."""

    def __init__(self, encoder: nn.Module | None, n_in: int, n_classes: int = 10, seed: int = 0) -> None:
        super().__init__()
        self.encoder = encoder if encoder is not None else nn.Identity()
        with torch.random.fork_rng():  # seeded, not drawn from the global generator: a result must not depend on what ran before
            torch.manual_seed(seed)
            self.head = nn.Linear(n_in, n_classes)

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.encoder(x))  # logits; the softmax is in the cross-entropy


def finetune(
    net: nn.Module,
    x: Tensor,
    y: Tensor,
    x_test: Tensor,
    y_test: Tensor,
    *,
    epochs: int,
    lr: float = 1e-3,
    batch_size: int = 64,
    seed: int = 0,
) -> list[dict[str, float]]:
    """Supervised training of the whole network on (x, y), the encoder included: learning curves."""
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(net.parameters(), lr=lr, weight_decay=1e-4)
    curve = []
    for _ in range(epochs):
        net.train()
        perm, total = torch.randperm(len(x), generator=g), 0.0
        for i in range(0, len(x), batch_size):
            idx = perm[i : i + batch_size]
            loss = F.cross_entropy(net(x[idx]), y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        curve.append({"loss": total / len(x), "train": accuracy(net, x, y), "test": accuracy(net, x_test, y_test)})
    return curve


@torch.no_grad()
def accuracy(net: nn.Module, x: Tensor, y: Tensor) -> float:
    net.eval()
    return float((net(x).argmax(1) == y).float().mean())


def stacked_config(sizes: tuple[int, ...] = (625, 100)) -> ModelConfig:
    """Tutorial 10 Q3b's network: 784 -> 625 -> 100, sigmoid units, with Q3's 10 % masking noise and
    its sparsity (rho = 0.02, beta = 0.4)."""
    from aeviz.presets import Q3_MODEL

    return Q3_MODEL.replace(family="mlp", hidden=sizes[:-1], latent=sizes[-1], activation="sigmoid", code_activation="sigmoid")


def encoder_of(model: Autoencoder, layers: int | None = None) -> nn.Module:
    """The model's encoder as one module: images (N, C, H, W) or (N, P) -> codes (N, K); with
    `layers`, only its first that many layers (the codes of a hidden layer below the top)."""
    steps = [enc for enc, _ in _layers(model)][:layers]
    return nn.Sequential(nn.Flatten(), *steps)


@torch.no_grad()
def layer_views(model: Autoencoder, x: Tensor) -> dict[str, Tensor]:
    """Tutorial 10 Q3(b)'s plots of a stacked AE: each hidden layer's activations on the images `x`,
    and each layer's weights projected down to pixels (W_k ... W_1, biases and nonlinearities aside:
    what input each unit responds to most, to a first approximation)."""
    model.eval()
    out, h, w = {}, x.flatten(1), None
    for k, (enc, _) in enumerate(_layers(model), start=1):
        h = enc(h)
        linear = next(m for m in enc if isinstance(m, nn.Linear))
        w = linear.weight if w is None else linear.weight @ w
        out[f"acts{k}"], out[f"weights{k}"] = h.clone(), w.clone()
    return out


@torch.no_grad()
def unrolled(model: Autoencoder, x: Tensor, layers: int) -> Tensor:
    """The deep AE unrolled from the first `layers` encoder layers and their mirror decoder layers: x_hat."""
    model.eval()
    pairs = _layers(model)[:layers]
    h = x.flatten(1)
    for enc, _ in pairs:
        h = enc(h)
    for _, dec in reversed(pairs):
        h = dec(h)
    return h.clamp(0, 1).reshape(x.shape)
