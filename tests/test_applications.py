"""Lecture 002's and 003's applications, trained for: infilling, colouring, segmentation; and the
corruptions they train on."""

from __future__ import annotations

import math

import pytest
import torch

from aeviz import metrics, slides
from aeviz.config import ModelConfig, TrainConfig
from aeviz.noise import GREY, corrupt


def test_a_block_hides_one_grey_square_per_image_of_up_to_its_size():
    x = torch.rand(64, 1, 28, 28) * 0.4  # no pixel is GREY by chance
    y = corrupt(x, "block", 0.4, torch.Generator().manual_seed(0))
    most = round(0.4 * 28)
    sides = set()
    for a, b in zip(x, y, strict=True):
        hole = (b != a)[0]
        rows, cols = hole.any(1).nonzero().flatten(), hole.any(0).nonzero().flatten()
        side = len(rows)
        assert side == len(cols) and int(hole.sum()) == side * side, "one square"
        assert (rows.diff() == 1).all() and (cols.diff() == 1).all()
        assert (b[0][hole] == GREY).all() and math.ceil(most / 2) <= side <= most
        sides.add(side)
    assert len(sides) > 3, "holes of many sizes"


def test_gray_takes_the_colour_away_and_needs_colour_images():
    x = torch.rand(4, 3, 8, 8)
    y = corrupt(x, "gray", 1.0)
    assert torch.equal(y[:, 0], y[:, 1]) and torch.equal(y[:, 1], y[:, 2])
    torch.testing.assert_close(y[:, 0], 0.299 * x[:, 0] + 0.587 * x[:, 1] + 0.114 * x[:, 2])
    torch.testing.assert_close(corrupt(x, "gray", 0.5), 0.5 * x + 0.5 * y)
    with pytest.raises(ValueError, match="colour images"):
        ModelConfig(family="denoising", noise="gray", noise_level=1.0)


def test_a_colouring_denoiser_puts_colour_back():
    """The colouring preset, on a class's colour shapes: its output is nearer the colour images than the gray input."""
    from aeviz import presets, userdata
    from aeviz.bench.synthetic import shapes_zip
    from aeviz.models import build_model
    from aeviz.training import train

    data = userdata.from_images(userdata.read_zip(shapes_zip(per_class=100)), userdata.Recipe(color=True, size=32), "shapes")
    preset = presets.PRESETS["colour"]
    model = build_model(preset.model, seed=0)
    train(model, data.train, preset.train)
    x = data.test.floats()
    x_gray = corrupt(x, "gray", 1.0)
    before = float((x_gray - x).square().mean())
    after = float((model.reconstruct(x_gray) - x).square().mean())
    assert after < 0.8 * before, (after, before)


def test_segmentation_learns_masks_from_cluttered_digits():
    """The lesson's run on the shipped sample: the model maps cluttered digits to masks (a loss that falls,
    probabilities in [0, 1]), scored against the best threshold of the input."""
    from aeviz.tasks import JobSpec, run_here

    r, _ = run_here(JobSpec.of("segmentation", dataset="mnist", images=600, epochs=2))
    assert 0 <= r["iou"] <= 1 and 0 < r["threshold_iou"] < 1
    assert r["loss"][-5:].mean() < r["loss"][:5].mean()
    assert r["pred"].shape == r["truth"].shape == r["x"].shape == (8, 1, 28, 28)
    assert set(r["truth"].flatten().tolist()) <= {0.0, 1.0}


def test_training_maps_inputs_to_other_targets_and_refuses_unpaired_sets():
    from aeviz.data import ImageSet
    from aeviz.models import build_model
    from aeviz.training import train

    g = torch.Generator().manual_seed(0)
    x = torch.rand(64, 1, 8, 8, generator=g)
    model = build_model(ModelConfig(family="mlp", shape=(1, 8, 8), hidden=(), latent=16), seed=0)
    history = train(model, ImageSet(1 - x), TrainConfig(epochs=30, batch_size=16, lr=1e-2), inputs=ImageSet(x))
    assert history.epochs[-1]["loss"] < history.epochs[0]["loss"]
    with pytest.raises(ValueError, match="pair up"):
        train(model, ImageSet(x), TrainConfig(epochs=1), inputs=ImageSet(x[:10]))


def test_keras_binary_accuracy_is_capped_by_the_pixels_that_are_exactly_black_or_white():
    x = torch.tensor([0.0, 1.0, 0.4, 0.6])
    assert metrics.binary_accuracy_cap(x) == 0.5
    assert metrics.binary_accuracy(x, x) == 0.5, "even a perfect reconstruction rounds the grey pixels"


def test_a_line_in_phi_fits_what_a_line_in_x_cannot():
    r = slides.representation_demo()
    assert r.mse_phi < 0.15 < 1.0 < r.mse_x
