"""The browser decoder (aeviz/ui/decoder.js) matches torch within 1e-4 per pixel, for every pretrained decoder."""

from __future__ import annotations

import json

import pytest
import torch

from aeviz import checkpoint, webdecoder
from aeviz.models.base import Autoencoder
from aeviz.ui import decoder as component

JS = (component.Path(component.__file__).parent / "decoder.js").read_text()
# the module's functions, without its `export` keywords, evaluated in a plain page
SCRIPT = JS.replace("export default function", "function mount").replace("export function", "function")


@pytest.fixture(scope="module")
def js_page(browser):
    page = browser.new_page()
    page.set_content("<html><body></body></html>")
    page.add_script_tag(content=SCRIPT + "\nwindow.aez = {prepare, forward};")
    yield page
    page.close()


def js_decode(page, spec: dict, z: torch.Tensor) -> torch.Tensor:
    out = page.evaluate(
        "([spec, zs]) => { const s = aez.prepare(spec); return zs.map(z => Array.from(aez.forward(s, z).data)); }",
        [spec, z.flatten(1).tolist()],
    )
    return torch.tensor(out).view(len(z), *spec["shape"])


def check(page, model: Autoencoder) -> float:
    model.eval()
    g = torch.Generator().manual_seed(0)
    z = torch.randn((4, *model.latent_shape), generator=g)
    if len(model.latent_shape) == 3:
        z = z.abs()  # conv codes come out of a ReLU and a max-pool: non-negative
    with torch.no_grad():
        expected = model.decode(z)
    got = js_decode(page, model.export_decoder(), z)
    return float((got - expected).abs().max())


@pytest.mark.parametrize("name", checkpoint.list_pretrained())
def test_js_decoder_matches_torch(js_page, name):
    assert check(js_page, checkpoint.load_pretrained(name)) < 1e-4


@pytest.mark.parametrize("upsample", ["transpose", "nearest", "unpool"])
def test_js_decoder_handles_every_upsampler(js_page, upsample):
    from aeviz import ModelConfig, build_model

    model = build_model(ModelConfig(family="conv", upsample=upsample), seed=0)
    assert check(js_page, model) < 1e-4


def test_js_decoder_folds_batchnorm_into_its_linear_layer(js_page):
    from aeviz import ModelConfig, build_model

    model = build_model(ModelConfig(family="mlp", hidden=(64, 32), latent=8, batchnorm=True), seed=0)
    model.train()
    with torch.no_grad():
        for _ in range(3):  # running statistics far from the identity (mean 0, var 1)
            model(torch.rand(64, 1, 28, 28) * 3)
    spec = model.export_decoder()
    assert [layer["op"] for layer in spec["layers"]].count("linear") == 3 and "batchnorm" not in json.dumps(spec)
    assert check(js_page, model) < 1e-4


def test_numpy_reference_agrees_with_torch():
    model = checkpoint.load_pretrained(checkpoint.list_pretrained()[0])
    z = torch.randn(1, *model.latent_shape).abs()
    spec = json.loads(json.dumps(model.export_decoder()))
    with torch.no_grad():
        expected = model.decode(z)[0].numpy()
    assert abs(webdecoder.decode_numpy(spec, z[0].numpy()) - expected).max() < 1e-5
