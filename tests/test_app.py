"""Streamlit tier: every page renders for every dataset; widgets driven by key; figure specs read back."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

PAGES = [
    "overview",
    "reconstructions",
    "filters",
    "latent",
    "vae",
    "upload",
    "denoise",
    "train",
    "lessons/index",
    "classroom",
    "board",
]


def new_app() -> AppTest:
    return AppTest.from_file("../app.py", default_timeout=60)


def page(name: str) -> str:
    return f"aeviz/ui/pages/{name}.py"


def figures(at: AppTest) -> list[dict]:
    """Every plotly figure on the page, in order: st.plotly_chart's, and the latent scatter's, which
    its component (aeviz.ui.scatter) draws."""
    out = []
    for el in at:
        if el.type == "plotly_chart":
            out.append(json.loads(el.proto.spec))
        elif el.type == "bidi_component" and "figure" in (data := json.loads(el.proto.json or "{}")):
            out.append(data["figure"])
    return out


def array(value) -> np.ndarray:
    """A figure's data array: plotly 7 ships numpy arrays as typed buffers {dtype, bdata, shape}."""
    if isinstance(value, dict) and "bdata" in value:
        flat = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        return flat.reshape([int(s) for s in str(value.get("shape", len(flat))).split(",")])
    return np.asarray(value)


def png(trace: dict) -> np.ndarray:
    """An image trace's pixels as sent: (H, W, 3) uint8."""
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(base64.b64decode(trace["source"].split(",", 1)[1]))).convert("RGB"))


def picture(trace: dict) -> np.ndarray:
    """An image trace (in pixel units) at the mosaic's own resolution: (H, W, 3) uint8."""
    scale = round(1 / abs(trace["dx"]))
    return png(trace)[::scale, ::scale]


@pytest.fixture(scope="module")
def started() -> AppTest:
    at = new_app().run()
    assert not at.exception
    return at


@pytest.mark.parametrize("dataset", ["mnist", "fashion"])
@pytest.mark.parametrize("name", PAGES)
def test_every_page_renders(name, dataset):
    at = new_app()
    at.session_state["dataset"] = dataset
    at.run()
    at.switch_page(page(name)).run()
    assert not at.exception, at.exception
    assert not at.error
    # the upload page waits for an image, the train page for a click, the class pages for a class
    if name not in ("upload", "train", "classroom", "board"):
        assert figures(at), "each page shows at least one figure"


def test_overview_compares_all_six_families(started):
    at = started
    spec = figures(at)[-1]
    ticks = spec["layout"]["yaxis"]["ticktext"]
    assert ticks[0] == "input"
    assert [t.split(" · ")[0] for t in ticks[1:]] == ["linear", "mlp", "conv", "sparse", "denoising", "vae"]
    assert at.metric[0].label == "parameters"


def test_switching_dataset_keeps_the_kind_of_model():
    at = new_app().run()
    at.selectbox(key="model").set_value("mnist-vae").run()
    at.selectbox(key="dataset").set_value("fashion").run()
    assert not at.exception
    assert at.session_state["model"] == "fashion-vae"


def test_reconstruction_grid_follows_widgets():
    at = new_app().run()
    at.switch_page(page("reconstructions")).run()
    at.slider(key="rec_n").set_value(6).run()
    at.radio(key="rec_mode").set_value("by class").run()
    at.selectbox(key="rec_class").set_value(3).run()
    assert not at.exception
    grid = figures(at)[0]
    z = picture(grid["data"][0]).astype(int)
    assert z.shape == (3 * 29 - 1, 6 * 29 - 1, 3), "three rows of six 28-px tiles with 1-px gaps"
    assert (z[28] == 255).all() and (z[:, 28] == 255).all(), "white gaps between tiles"
    x, err = z[:28, :28], z[58:, :28]
    assert (x[..., 0] == x[..., 2]).all() and (err[..., 0] > err[..., 2]).any(), "gray images, a hot error map"
    assert grid["layout"]["yaxis"]["ticktext"] == ["input x", "output x̂", "|x − x̂|"]
    assert len(grid["layout"]["xaxis"]["ticktext"]) == 6  # one per-image MSE under each column
    assert not at.metric, "the other view does not run"
    at.session_state["rec_view"] = "Bottleneck sizes · linear AE vs PCA"
    at.run()
    (compare,) = figures(at)
    assert compare["layout"]["yaxis"]["ticktext"][-2:][1].startswith("PCA, K=") and any("PCA" in m.label for m in at.metric)


def test_filters_of_the_fc_first_layer_are_128_tiles_of_28x28():
    at = new_app()
    at.session_state["model"] = "mnist-mlp"
    at.run()
    at.switch_page(page("filters")).run()
    assert not at.exception
    z = picture(figures(at)[0]["data"][0]).astype(int)
    assert z.shape == (8 * 29 - 1, 16 * 29 - 1, 3), "128 tiles of 28x28: 8 rows of 16"
    r, b = z[..., 0], z[..., 2]
    assert (b - r > 100).any() and (r - b > 100).any(), "diverging scale: negative weights blue, positive red"
    at.radio(key="filt_layer").set_value(1).run()
    z = picture(figures(at)[0]["data"][0])
    assert z.shape == (4 * 9 - 1, 16 * 17 - 1, 3), "64 tiles of 8x16"


def test_conv_kernels_and_feature_maps_are_two_views():
    at = new_app().run()  # the default model is the conv AE
    at.switch_page(page("filters")).run()
    assert picture(figures(at)[0]["data"][0]).shape[:2] == (3, 16 * 4 - 1), "conv 1: 16 kernels of 3x3"
    at.radio(key="filt_layer").set_value(1).run()
    assert picture(figures(at)[0]["data"][0]).shape[:2] == (8 * 4 - 1, 16 * 4 - 1), "conv 2: 8 x 16 kernels"
    at.session_state["filt_view"] = "Feature maps of one input"
    at.run()
    first = figures(at)
    assert len(first) == 1 + len([m for m in at.markdown if " maps of " in m.value]) >= 3, "the input, then each stage's maps"
    at.slider(key="filt_image").set_value(7).run()
    assert figures(at)[0]["data"][0]["source"] != first[0]["data"][0]["source"], "another test image, other maps"
    assert not at.exception


def test_scatter_selection_shows_that_points_reconstruction():
    at = new_app()
    at.session_state["model"] = "mnist-vae-2d"
    at.run()
    at.switch_page(page("latent")).run()
    spec = figures(at)[0]
    assert len(spec["data"]) == 10 and spec["layout"]["xaxis"]["title"]["text"] == "z1"
    row = int(array(spec["data"][3]["customdata"])[5])
    at.session_state["scatter"] = {"row": row}  # what scatter.js reports when that point is clicked
    at.run()
    assert not at.exception
    assert any(f"Image #{row}" in m.value for m in at.markdown)
    assert any(m.value.startswith("z = (") for m in at.markdown)


def test_the_scatter_gets_the_plotly_js_streamlit_serves():
    """scatter.js draws with Streamlit's own plotly.js chunk: a Streamlit that renames it fails here."""
    import streamlit

    at = new_app().run()
    at.switch_page(page("latent")).run()
    (data,) = [json.loads(el.proto.json) for el in at.get("bidi_component") if el.key == "scatter"]
    assert (Path(streamlit.__file__).parent / "static" / data["src"]).is_file()
    assert len(data["rows"]) == sum(len(t["x"]) for t in data["figure"]["data"]), "a preview image for every point"


def test_latent_views_run_only_the_open_one():
    at = new_app()
    at.session_state["model"] = "mnist-vae-2d"
    at.run()
    at.switch_page(page("latent")).run()
    assert [len(f["data"]) for f in figures(at)] == [10], "Codes: only the scatter"
    at.session_state["lat_view"] = "Decoded plane"
    at.run()
    (plane,) = figures(at)
    assert plane["layout"]["xaxis"]["title"]["text"] == "z1" and plane["data"][0]["type"] == "image"
    at.slider(key="lat_grid").set_value(10).run()
    h, w, _ = png(figures(at)[0]["data"][0]).shape
    assert h == w and h % (10 * 28) == 0, "a 10 x 10 grid of decoded images, upscaled"
    at.session_state["lat_view"] = "Walk between images"
    at.run()
    (walk,) = figures(at)
    assert len(walk["layout"]["yaxis"]["ticktext"]) == 2, "the chosen 2-D VAE, then the 2-D plain AE"
    at.slider(key="interp_steps").set_value(5).run()
    assert picture(figures(at)[0]["data"][0]).shape == (2 * 29 - 1, 5 * 29 - 1, 3)
    assert not at.exception


def test_high_dimensional_codes_are_projected_and_said_so():
    at = new_app()
    at.session_state["model"] = "mnist-conv"
    at.run()
    at.switch_page(page("latent")).run()
    assert "principal components" in at.caption[0].value
    assert figures(at)[0]["layout"]["xaxis"]["title"]["text"] == "PC 1 of z"
    at.session_state["lat_view"] = "Decoded plane"
    at.run()
    assert not figures(at) and "1-D or 2-D code" in at.info[0].value


def test_a_failing_page_shows_an_error_id_that_the_log_has_with_its_traceback(caplog):
    """A bug on a page: the student reads a message and an id (no traceback in the page); the server's
    log has the traceback under that id; Streamlit still counts the exception."""

    def script():
        from types import SimpleNamespace

        from aeviz.ui.app import run_page

        def broken():
            raise ValueError("a bug with /server/paths in it")

        run_page(SimpleNamespace(url_path="overview", run=broken))

    with caplog.at_level("ERROR", logger="aeviz.ui"):
        at = AppTest.from_function(script, default_timeout=60).run()
    message = at.error[0].value
    error_id = message.split("(error ")[1].split(")")[0]
    assert len(error_id) == 8 and "/server/paths" not in message
    logged = [r for r in caplog.records if error_id in r.getMessage()]
    assert logged and "a bug with /server/paths" in str(logged[0].exc_info[1])
    assert at.exception, "Streamlit still sees the exception (the tests and the load bench count it)"


@pytest.mark.parametrize("url", ["train", "class", "lessons"])
def test_the_packaged_script_that_serve_runs_renders_the_pages_that_link_to_others(url):
    """`aeviz serve` runs aeviz/ui/script/aeviz_app.py, in another folder than app.py: a page link given
    relative to the main script would not resolve there (the Train page raised under serve)."""
    from aeviz.ui.nav import PAGE_LIST, PAGES
    from aeviz.ui.script import APP

    file = next(f for f, _, _, u in PAGE_LIST if u == url)
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    at.switch_page(str(PAGES / file)).run()
    assert not at.exception, [e.value for e in at.exception]
