"""Backend tier: every registered family on tiny configs, oracles, the tutorial's numbers."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.distributions import Bernoulli, Normal, kl_divergence

import aeviz
from aeviz import ModelConfig, TrainConfig, checkpoint, presets
from aeviz.data import patterns_3x3
from aeviz.models.base import kl_bernoulli
from aeviz.models.vae import DiagonalGaussian
from aeviz.pca import fit_pca, principal_angles

TINY = dict(shape=(1, 8, 8), hidden=(16,), latent=3, channels=(4, 4))
VARIANTS = {
    "linear": [{}],
    "mlp": [{}, {"recon": "bce"}, {"batchnorm": True}],
    "conv": [{"upsample": u} for u in ("transpose", "nearest", "unpool")],
    "sparse": [{}, {"sparsity": "l1"}, {"noise_level": 0.1, "noise": "masking"}],
    "denoising": [
        {"backbone": b, "noise": n, "noise_level": 0.3} for b in ("mlp", "conv") for n in ("gaussian", "masking", "saltpepper")
    ],
    "vae": [{"backbone": "mlp"}, {"backbone": "conv"}, {"backbone": "conv", "upsample": "nearest"}],
}
CASES = [(f, v) for f in aeviz.list_models() for v in VARIANTS[f]]


def test_every_family_has_cases():
    assert set(VARIANTS) == set(aeviz.list_models()) == {"linear", "mlp", "conv", "sparse", "denoising", "vae"}


@pytest.mark.parametrize(("family", "variant"), CASES, ids=[f"{f}-{'-'.join(map(str, v.values()))}" for f, v in CASES])
def test_family_shapes_loss_gradients_roundtrip(family, variant, tmp_path):
    config = ModelConfig(family=family, **TINY, **variant)
    model = aeviz.build_model(config, seed=0)
    x = torch.rand(5, 1, 8, 8)
    out = model(x)
    assert out.x_hat.shape == x.shape
    assert tuple(out.z.shape) == (5, *model.latent_shape)
    assert model.decode(model.encode(x)).shape == x.shape
    loss = model.loss(x, out)
    assert all(torch.isfinite(p) for p in loss)
    assert torch.allclose(loss.total, loss.recon + loss.reg)
    loss.total.backward()
    for name, p in model.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, f"no gradient reaches {name}"
    model.eval()
    path = checkpoint.save(model, tmp_path / "m.safetensors", note="test")
    loaded, meta = checkpoint.load(path)
    assert meta == {"note": "test", "dataset": None} and loaded.config == config.normalised() == model.config
    assert torch.equal(loaded(x).x_hat, model(x).x_hat)


def test_vae_kl_matches_torch_distributions():
    g = torch.Generator().manual_seed(0)
    mu, logvar = torch.randn(7, 4, generator=g), torch.randn(7, 4, generator=g)
    q = Normal(mu, torch.exp(0.5 * logvar))
    expected = kl_divergence(q, Normal(torch.zeros(4), torch.ones(4))).sum(1)
    torch.testing.assert_close(DiagonalGaussian(mu, logvar).kl(), expected)


def test_sparsity_kl_matches_torch_distributions():
    rho_hat = torch.linspace(0.01, 0.99, 25)
    expected = kl_divergence(Bernoulli(probs=torch.full_like(rho_hat, 0.1)), Bernoulli(probs=rho_hat))
    torch.testing.assert_close(kl_bernoulli(0.1, rho_hat), expected)


def test_vae_encode_is_mu_in_eval_and_samples_in_train():
    model = aeviz.build_model(ModelConfig(family="vae", **TINY), seed=0)
    x = torch.rand(3, 1, 8, 8)
    model.eval()
    torch.testing.assert_close(model.encode(x), model.posterior(x).mu)
    model.train()
    assert not torch.allclose(model.encode(x), model.posterior(x).mu)
    assert model.elbo(x).shape == (3,) and model.sample(2).shape == (2, 1, 8, 8)


def test_a_noise_level_trains_any_family_as_a_denoiser():
    """Denoising is a regime: the loop feeds corrupt(x) and compares with the clean x."""
    seen = []

    class Spy(torch.nn.Module):
        pass

    model = aeviz.build_model(ModelConfig(family="mlp", **TINY, noise="masking", noise_level=0.5), seed=0)
    forward = model.forward
    model.forward = lambda x: seen.append(x.clone()) or forward(x)
    data = aeviz.data.ImageSet(torch.ones(8, 1, 8, 8))
    aeviz.train(model, data, TrainConfig(epochs=1, batch_size=8))
    assert 0.3 < (seen[0] == 0).float().mean() < 0.7, "about half the pixels masked"
    clean = aeviz.build_model(ModelConfig(family="mlp", **TINY), seed=0)
    clean.forward = lambda x: seen.append(x.clone()) or forward(x)
    aeviz.train(clean, data, TrainConfig(epochs=1, batch_size=8))
    assert torch.equal(seen[1], data.x), "no noise level, no corruption"


def test_sparsity_composes_with_other_families():
    cfg = ModelConfig(family="mlp", **TINY, code_activation="sigmoid", sparsity="kl", rho=0.1, beta=2.0)
    model = aeviz.build_model(cfg, seed=0)
    x = torch.rand(6, 1, 8, 8)
    out = model(x)
    expected = 2.0 * kl_bernoulli(0.1, out.z.mean(0)).sum()
    torch.testing.assert_close(model.loss(x, out).reg, expected)
    assert "rho_hat" in aeviz.evaluate(model, aeviz.data.ImageSet(x))
    with pytest.raises(ValueError, match="sigmoid code"):
        ModelConfig(family="mlp", sparsity="kl")
    with pytest.raises(ValueError, match="KL term"):
        ModelConfig(family="vae", sparsity="l1")


def test_configs_say_only_what_the_model_uses():
    lin = ModelConfig(family="linear", activation="tanh", rho=0.3, noise_level=0.0)
    assert set(lin.to_dict()) == {"family", "shape", "hidden", "latent", "batchnorm", "recon"}
    conv = aeviz.build_model(ModelConfig(family="conv", latent=2), seed=0)
    assert "latent" not in conv.config.to_dict() and conv.latent_shape == (8, 7, 7)
    assert ModelConfig.from_dict(lin.to_dict()) == lin.normalised()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"hidden": (8192,) * 30}, "at most 8 layers"),
        ({"hidden": (64.5,)}, "whole number"),
        ({"latent": True}, "whole number"),
        ({"shape": (1, 100_000, 28)}, "image height"),
        ({"shape": (2, 28, 28)}, "not 2"),
        ({"beta": float("nan")}, "beta"),
    ],
)
def test_structural_caps_refuse_absurd_configs_before_anything_is_built(fields, message):
    with pytest.raises(ValueError, match=message):
        ModelConfig(**fields)


def test_parameters_are_counted_without_allocating():
    import resource

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    n = aeviz.count_params(ModelConfig(hidden=(8192,) * 8, latent=4096))
    assert n > 400_000_000
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200_000, "under 200 MB grown (ru_maxrss is in kB)"


def test_a_diverging_run_says_at_which_step_and_what_to_change():
    from aeviz.training import Diverged

    model = aeviz.build_model(ModelConfig(family="mlp", **TINY, output_activation="identity"), seed=0)
    data = aeviz.data.random_images(64, 8)
    with pytest.raises(Diverged, match=r"at step \d+: lower the learning rate α"):
        aeviz.train(model, data, TrainConfig(epochs=50, batch_size=8, optimizer="sgd", lr=50.0))


def test_hooks_give_every_family_filters_stages_and_a_browser_decoder():
    from aeviz import webdecoder

    for family, variant in CASES:
        model = aeviz.build_model(ModelConfig(family=family, **TINY, **variant), seed=0).eval()
        layers = model.encoder_filters()
        assert layers and all(len(f.weights) for f in layers), family
        stages = model.feature_stages(torch.rand(1, 1, 8, 8))
        assert bool(stages) == model.config.is_conv, family
        spec = model.export_decoder()
        z = torch.randn(1, *model.latent_shape)
        expected = model.decode(z)[0].detach().numpy()
        np.testing.assert_allclose(webdecoder.decode_numpy(spec, z.numpy()), expected, atol=1e-5)
    conv_vae = aeviz.build_model(ModelConfig(family="vae", **TINY, backbone="conv"), seed=0)
    assert conv_vae.encoder_filters()[-1].label.startswith("head: μ and log σ²")


def _patterns_run(config: ModelConfig):
    model = aeviz.build_model(config, seed=0)
    data = patterns_3x3()
    aeviz.train(model, data, presets.PATTERNS_TRAIN.replace(epochs=3000))
    return model(data.x), data.x


def test_tutorial_10_q1_patterns_and_sparsity():
    """9-4-9 sigmoid AE, cross-entropy, SGD alpha 0.1; then beta 0.5, rho 0.1 (lecture 004)."""
    out, x = _patterns_run(presets.PATTERNS_MODEL)
    assert torch.equal((out.x_hat > 0.5).float(), x), "all five patterns reconstructed after thresholding"
    sparse_out, _ = _patterns_run(presets.PATTERNS_SPARSE)
    assert torch.equal((sparse_out.x_hat > 0.5).float(), x)
    assert sparse_out.z.mean() < 0.6 * out.z.mean(), (sparse_out.z.mean(), out.z.mean())


def test_one_layer_linear_ae_learns_pca():
    g = torch.Generator().manual_seed(0)
    basis = torch.randn(4, 36, generator=g) * torch.tensor([[3.0], [2.0], [1.5], [1.0]])
    x = (torch.randn(600, 4, generator=g) @ basis + 0.1 * torch.randn(600, 36, generator=g)).view(600, 1, 6, 6)
    x = x / x.std()  # unit scale; the linear AE has no reason to stay in [0, 1]
    data = aeviz.data.ImageSet(x)
    k = 3
    model = aeviz.build_model(ModelConfig(family="linear", shape=(1, 6, 6), hidden=(), latent=k), seed=0)
    aeviz.train(model, data, TrainConfig(epochs=100, batch_size=100, lr=1e-2))
    ae_mse = aeviz.evaluate(model, data)["mse"]
    pca = fit_pca(x, k)
    pca_mse = (pca.reconstruct(x) - x).square().mean().item()
    assert ae_mse <= 1.02 * pca_mse, (ae_mse, pca_mse)
    decoder_columns = model.decoder_linears()[0].weight.detach()  # (P, K)
    angles = principal_angles(decoder_columns, pca.components.T)
    assert angles.max() < 5, angles


def test_seeded_training_repeats_exactly():
    def run():
        model = aeviz.build_model(ModelConfig(family="denoising", **TINY, noise_level=0.3), seed=3)
        data = aeviz.data.random_images(64, 8, seed=0)
        history = aeviz.train(model, data, TrainConfig(epochs=3, batch_size=16, seed=5))
        return model, history

    (m1, h1), (m2, h2) = run(), run()
    assert [s["loss"] for s in h1.steps] == [s["loss"] for s in h2.steps]
    for p1, p2 in zip(m1.parameters(), m2.parameters(), strict=True):
        assert torch.equal(p1, p2)


def test_training_stops_between_steps():
    model = aeviz.build_model(ModelConfig(family="mlp", **TINY), seed=0)
    data = aeviz.data.random_images(64, 8)
    seen = []
    history = aeviz.train(
        model, data, TrainConfig(epochs=5, batch_size=8), on_step=seen.append, should_stop=lambda: len(seen) >= 3
    )
    assert history.stopped and len(seen) == 3 and not model.training


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("family", "transformer", "unknown model 'transformer'; choose from"),
        ("latent", 0, "latent size"),
        ("rho", 1.5, "rho"),
        ("noise", "pink", "unknown noise"),
        ("upsample", "bilinear", "unknown upsampling"),
    ],
)
def test_bad_config_names_the_choices(field, value, message):
    with pytest.raises(ValueError, match=message):
        ModelConfig(**{field: value})


def test_conv_refuses_sizes_it_cannot_pool():
    with pytest.raises(ValueError, match="multiples of 4"):
        aeviz.build_model(ModelConfig(family="conv", shape=(1, 10, 10)))


@pytest.mark.parametrize("family", ["linear", "mlp", "sparse"])
def test_tied_weights_decode_with_the_encoders_transpose(family):
    hidden = () if family != "mlp" else (64,)
    untied = aeviz.build_model(ModelConfig(family=family, hidden=hidden, latent=16), seed=0)
    tied = aeviz.build_model(ModelConfig(family=family, hidden=hidden, latent=16, tied=True), seed=0)
    weights = lambda m: sum(p.numel() for n, p in m.named_parameters() if "weight" in n)  # noqa: E731
    assert weights(tied) * 2 == weights(untied), "half the weights: the decoder has none of its own"
    assert tied.decoder_linears()[-1].source is tied.encoder_linears()[0], "the last decoder layer is layer 1, transposed"
    x = torch.rand(4, 1, 28, 28)
    loss = tied.loss(x, tied(x)).total
    loss.backward()
    assert tied.encoder_linears()[0].weight.grad is not None
    with pytest.raises(ValueError, match="tied weights are for the fully connected"):
        ModelConfig(family="conv", tied=True)
