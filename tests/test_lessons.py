"""The lessons' computations reproduce the slides' printed numbers (lectures 000 and 003)."""

import pytest
import torch

from aeviz import metrics, slides
from aeviz.config import TrainConfig

T = torch.tensor


def test_nearest_and_bed_of_nails():
    assert torch.equal(slides.nearest_unpool(), T([[1.0, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]))
    assert torch.equal(slides.bed_of_nails_unpool(), T([[1.0, 0, 2, 0], [0, 0, 0, 0], [3, 0, 4, 0], [0, 0, 0, 0]]))


def test_max_unpool_remembers_the_slides_indices():
    r = slides.max_unpool()
    assert torch.equal(r.pooled, T([[5.0, 6], [7, 8]]))
    assert torch.equal(r.indices, T([[5, 2], [12, 15]]))
    # the slide prints a 4 at (3, 2); only the maxima come back, so that cell is 0
    assert torch.equal(r.unpooled, T([[0.0, 0, 6, 0], [0, 5, 0, 0], [0, 0, 0, 0], [7, 0, 0, 8]]))


def test_transposed_conv_of_ones_stride_2():
    assert torch.equal(slides.transposed_conv(), T([[1.0, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]))


def test_transposed_conv_3x3_stride_2_pad_1_and_output_sizes():
    out = slides.transposed_conv(kernel=torch.ones(3, 3).tolist(), stride=2, padding=1)
    assert out.shape == (3, 3)  # "Output 3x3 (crop 1 pixel at the border)"
    assert torch.equal(out, T([[1.0, 3, 2], [4, 10, 6], [3, 7, 4]]))  # sums where copies overlap
    assert slides.transposed_out_size(3, 3, stride=2, padding=1) == 5  # 5 = 2 * (3 - 1) + 3 - 2 * 1
    assert slides.transposed_out_size(2, 2, stride=2) == 4
    assert slides.conv_out_size(5, 3, stride=2, padding=1) == 3  # and back again


def test_convolution_as_a_matrix():
    r = slides.conv_as_matrix()
    assert torch.equal(r.output, T([[-4.0, 4], [-8, -4]]))
    assert r.matrix.shape == (4, 16)
    assert torch.equal(r.matrix[0], T([1.0, 0, -1, 0, 2, 0, -2, 0, 1, 0, -1, 0, 0, 0, 0, 0]))  # the slide's first column
    expected = torch.nn.functional.conv_transpose2d(r.output[None, None], T(slides.SOBEL)[None, None])[0, 0]
    assert torch.equal(r.transposed, expected)


def test_six_by_six_worked_example():
    r = slides.conv_example()
    assert torch.equal(r.conv1[0], T([6.0, 11, 1, 7, -5, 3]))
    assert torch.equal(r.conv1[5], T([-4.0, 21, 10, 14, 11, 6]))
    assert r.relu.min() == 0 and r.relu[0, 4] == 0
    assert torch.equal(r.pooled, T([[11.0, 16, 20], [20, 29, 22], [27, 28, 21]]))
    assert torch.equal(r.conv2, T([[56.0, 78, 49], [88, 126, 86], [75, 98, 72]]))
    assert r.upsampled.shape == (6, 6) and r.upsampled[1, 1] == 56 and r.upsampled[5, 5] == 72


def test_three_input_relu_example():
    r = slides.dense_example()
    assert torch.equal(r.pre, T([0.0, 2.0])) and torch.equal(r.z, T([0.0, 2.0]))
    assert torch.equal(r.x_hat, T([0.0, 2.0, 0.0]))
    assert r.error == 10.0


# --- the lectures' other computations (issue: the five lectures, complete) -------------------------


def test_the_slides_bilinear_grid_is_the_half_pixel_convention_rounded_down():
    half = slides.bilinear_upsample()  # align_corners=False: torch's and Keras's default
    slide = T(slides.BILINEAR_SLIDE, dtype=torch.float32)
    torch.testing.assert_close(half[0], T([40.0, 37.5, 32.5, 30.0]))
    torch.testing.assert_close(half[:, -1], T([30.0, 25.0, 15.0, 10.0]))  # the slide's right column, exactly
    assert int((half.floor() == slide).sum()) == 13 and float((half - slide).abs().max()) <= 1.5
    corners = slides.bilinear_upsample(align_corners=True)
    assert torch.equal(corners[[0, 0, -1, -1], [0, -1, 0, -1]], slide[[0, 0, -1, -1], [0, -1, 0, -1]])
    assert float((corners[:, -1] - slide[:, -1]).abs().max()) > 1.5, "the corners-kept grid is not the slide's"


def test_the_kl_sparsity_curve_is_zero_at_rho_and_grows_either_side():
    rho_hat, kl = slides.kl_curve(0.2)
    i = abs(rho_hat - 0.2).argmin()
    assert kl[i] < 1e-3 and kl[0] > kl[i] and kl[-1] > kl[i] and (kl >= 0).all()


def test_a_one_layer_sparse_code_decomposes_the_image_into_its_decoder_columns():
    from aeviz import ModelConfig, build_model

    model = build_model(ModelConfig(family="sparse", shape=(1, 6, 6), hidden=(), latent=12), seed=0).eval()
    x = torch.rand(1, 6, 6)
    d = slides.decompose(model, x, k=12)  # every unit: the weighted sum is the whole output
    torch.testing.assert_close(torch.from_numpy(d.partial), model.reconstruct(x[None])[0, 0])
    assert list(d.weights) == sorted(d.weights, reverse=True)


def test_the_vae_step_is_mu_plus_sigma_eps_and_its_loss_parts_make_the_elbo():
    from torch.distributions import Normal, kl_divergence

    from aeviz import ModelConfig, build_model

    model = build_model(ModelConfig(family="vae", shape=(1, 6, 6), hidden=(16,), latent=3, recon="bce"), seed=0).eval()
    x = torch.rand(1, 6, 6)
    s = slides.vae_step(model, x, seed=4)
    assert abs(s.z - (s.mu + s.sigma * s.eps)).max() < 1e-6
    q = Normal(torch.from_numpy(s.mu), torch.from_numpy(s.sigma))
    assert abs(float(kl_divergence(q, Normal(0.0, 1.0)).sum()) - s.kl) < 1e-4, "the sign lecture 001 drops"
    same = model.elbo(x[None], generator=torch.Generator().manual_seed(4))
    assert abs(float(same[0]) + (s.recon + s.kl)) < 1e-3, "ELBO = -(reconstruction + KL) for the same eps"


def test_kmeans_purity_and_nmi_on_known_partitions():
    g = torch.Generator().manual_seed(0)
    x = torch.cat([torch.randn(40, 3, generator=g) + 8 * c for c in range(3)])
    y = torch.arange(3).repeat_interleave(40)
    c = metrics.kmeans(x, 3)
    assert metrics.purity(c, y) == 1.0 and abs(metrics.nmi(c, y) - 1.0) < 1e-9
    shuffled = y[torch.randperm(len(y), generator=g)]
    assert metrics.nmi(c, shuffled) < 0.2 and metrics.purity(c, shuffled) < 0.6


def test_stacked_pretraining_beats_raw_pixels_with_100_labels_per_class():
    """A seeded run on the shipped sample: 1,000 images to pretrain and fine-tune on, 1,000 to test."""
    from aeviz import stacked
    from aeviz.config import TrainConfig
    from aeviz.data import splits
    from aeviz.models import build_model

    train, test, _ = splits("mnist")  # the sample's halves on a fresh clone
    cfg = stacked.stacked_config((200, 50)).replace(noise_level=0.0)
    model = build_model(cfg, seed=0)
    curves = stacked.pretrain(model, train, TrainConfig(epochs=8, batch_size=64, optimizer="adam", lr=1e-3))
    assert len(curves) == 2 and all(c[-1] < c[0] for c in curves), "each layer's reconstruction improves"
    idx = metrics.few_labels(train.y, 100)
    x, y = train.floats(idx).flatten(1), train.y[idx]
    xt, yt = test.floats().flatten(1), test.y
    net = stacked.StackedClassifier(stacked.encoder_of(model), cfg.latent)
    acc = stacked.finetune(net, x, y, xt, yt, epochs=30)[-1]["test"]
    raw = metrics.softmax_accuracy(x, y, xt, yt)
    assert acc > raw, (acc, raw)


def test_q3b_views_project_the_second_layer_to_pixels_and_the_unrolled_ae_is_the_model():
    """Tutorial 10 Q3(b): W2 W1 is the 100-unit layer's weights seen as pixels; the deep AE unrolled
    from all its layers is the model itself."""
    from aeviz import stacked
    from aeviz.data import splits
    from aeviz.models import build_model

    cfg = stacked.stacked_config((64, 16, 9)).replace(noise_level=0.0)
    model = build_model(cfg, seed=0)
    train, test, _ = splits("mnist")
    stacked.pretrain(model, train.subset(300), TrainConfig(epochs=1, batch_size=64, optimizer="adam", lr=1e-3))
    x = test.floats(slice(0, 5))
    v = stacked.layer_views(model, x)
    w1, w2 = (m.weight for m in model.encoder_linears()[:2])
    torch.testing.assert_close(v["weights2"], w2 @ w1)
    assert v["acts1"].shape == (5, 64) and v["acts2"].shape == (5, 16) and v["acts3"].shape == (5, 9)
    torch.testing.assert_close(stacked.unrolled(model, x, 3), model.reconstruct(x))
    assert not torch.allclose(stacked.unrolled(model, x, 1), stacked.unrolled(model, x, 3))
    torch.testing.assert_close(stacked.encoder_of(model, 2)(x), v["acts2"])


@pytest.mark.slow
def test_the_lectures_bench_reproduces_the_slides_numbers(tmp_path):
    """`python -m aeviz.bench lectures --quick`, as the README runs it: the worked examples give the slides'
    own numbers, and the trained applications beat their baselines."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    out = tmp_path / "lectures.json"
    r = subprocess.run([sys.executable, "-m", "aeviz.bench", "lectures", "--quick", "--json", str(out)],
                       cwd=Path(__file__).resolve().parents[1], capture_output=True, text=True, timeout=900)  # fmt: skip
    assert r.returncode == 0, r.stderr[-3000:]
    d = json.loads(out.read_text())
    assert d["003-three-input"]["‖x − x̂‖²"] == 10
    assert d["000-max-unpool"]["indices"] == [[5, 2], [12, 15]]
    assert d["003-bilinear"]["cells of the slide = floor(half-pixel)"] == 13
    assert d["004-q1"]["patterns reconstructed exactly (of 5)"] == 5
    holes = {k.split(": ")[1]: v for k, v in d["002-infilling"].items() if k.startswith("7×7")}
    assert holes["mnist-infill"] < holes["mnist-denoising"] < holes["grey patch"], holes
    keras = d["003-keras"]
    assert keras["binary accuracy: conv AE"] <= keras["the cap: share of pixels exactly 0 or 1"] < 0.88
