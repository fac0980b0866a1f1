"""No model may crash a page: odd but legal models of every family, on every page and view (AppTest)."""

from __future__ import annotations

import pytest
from test_app import new_app, page

import aeviz
from aeviz import ModelConfig, checkpoint
from aeviz.ui.state import ModelInfo, OwnModel

PAGES = ["overview", "reconstructions", "filters", "latent", "vae", "upload", "denoise", "train", "lessons/index"]
VIEWS = {  # a page's view picker -> its options
    "reconstructions": ("rec_view", ["Inputs vs outputs", "Bottleneck sizes · linear AE vs PCA"]),
    "filters": ("filt_view", ["Weights", "Feature maps of one input", "Sparse codes"]),
    "latent": ("lat_view", ["Codes", "Decoded plane", "Walk between images"]),
    "lessons/index": ("lesson", ["Linear AE = PCA", "Upsampling", "Worked examples", "Bottleneck & depth"]),
}
MNIST = (1, 28, 28)
ODD = {
    "mlp, latent 1": ("mnist", ModelConfig(family="mlp", latent=1)),
    "mlp, latent 2, 5 hidden layers": ("mnist", ModelConfig(family="mlp", hidden=(256, 128, 64, 32, 16), latent=2)),
    "linear, latent 1": ("fashion", ModelConfig(family="linear", hidden=(), latent=1)),
    "conv that says latent 2": ("mnist", ModelConfig(family="conv", latent=2, channels=(4, 2))),
    "conv, unpooling": ("fashion", ModelConfig(family="conv", upsample="unpool")),
    "vae, latent 1": ("mnist", ModelConfig(family="vae", hidden=(64,), latent=1)),
    "vae on the conv backbone": ("fashion", ModelConfig(family="vae", backbone="conv", latent=2)),
    "denoiser on the conv backbone, 2 channels": (
        "mnist",
        ModelConfig(family="denoising", backbone="conv", channels=(2, 2), noise_level=0.3),
    ),
    "sparse, L1, 7 hidden": ("mnist", ModelConfig(family="sparse", hidden=(32,), latent=7, sparsity="l1")),
    "mlp with a sigmoid code and KL sparsity": (
        "fashion",
        ModelConfig(family="mlp", hidden=(), latent=3, code_activation="sigmoid", sparsity="kl"),
    ),
    "toy 3x3, latent 4": ("patterns", ModelConfig(family="sparse", shape=(1, 3, 3), hidden=(), latent=4)),
    "toy 10x10 vae, latent 1": ("random", ModelConfig(family="vae", shape=(1, 10, 10), hidden=(), latent=1)),
    "toy 3x3 denoiser, latent 1": (
        "patterns",
        ModelConfig(family="denoising", shape=(1, 3, 3), hidden=(), latent=1, noise_level=0.2),
    ),
}


def app_with(name: str, dataset: str, config: ModelConfig):
    """A session with `config` as its own model, picked. Names are unique per session model (the
    server's caches are keyed by them), as the app's own names are."""
    model = aeviz.build_model(config, seed=0).eval().requires_grad_(False)
    blob = checkpoint.to_bytes(model, half=True, dataset=dataset)
    at = new_app()
    at.session_state["own_models"] = {name: OwnModel(model, ModelInfo(name, "odd", dataset, model.config, {}, True), blob)}
    at.session_state["dataset"], at.session_state["model"] = dataset, name
    return at.run()


def visit_every_view(at, pages, model: str, views=VIEWS) -> None:
    """Every page and each of its views: none raises, and the sidebar keeps the model picked."""
    for where in pages:
        at.switch_page(page(where)).run()
        assert not at.exception, (where, [e.value for e in at.exception])
        key, options = views.get(where, (None, [None]))
        for option in options:
            if key:
                at.session_state[key] = option
                at.run()
            assert not at.exception, (where, option, [e.value for e in at.exception])
            assert at.session_state["model"] == model


@pytest.mark.parametrize("case", list(ODD))
def test_every_page_and_view_shows_the_model_or_says_why_not(case):
    dataset, config = ODD[case]
    name = f"yours-odd{list(ODD).index(case)}"
    at = app_with(name, dataset, config)
    assert not at.exception, at.exception
    assert at.session_state["model"] == name, "the sidebar keeps the odd model picked"
    visit_every_view(at, PAGES, name)


def test_a_stale_or_crafted_view_falls_back_to_the_first():
    at = new_app().run()
    at.switch_page(page("latent")).run()
    at.session_state["lat_view"] = "no such view"
    at.run()
    assert not at.exception and at.session_state["lat_view"] == "Codes"


def every_lesson() -> dict:
    from aeviz.ui.pages.lessons import lessons

    return {"lessons/index": ("lesson", [m.TITLE for m in lessons().values()])}


@pytest.mark.parametrize(
    "case", ["toy 3x3, latent 4", "toy 10x10 vae, latent 1", "toy 3x3 denoiser, latent 1", "conv that says latent 2"]
)
def test_every_lesson_and_the_lecture_map_take_the_oddest_models(case):
    dataset, config = ODD[case]
    name = f"yours-odd{list(ODD).index(case)}"
    visit_every_view(app_with(name, dataset, config), ["lessons/index", "lectures"], name, every_lesson())


def _own_dataset(colour: bool):
    from aeviz import userdata
    from aeviz.bench.synthetic import letters_zip, shapes_zip

    if colour:
        return userdata.from_images(userdata.read_zip(shapes_zip(per_class=12)), userdata.Recipe(color=True, size=32), "shapes")
    return userdata.from_images(userdata.read_zip(letters_zip(per_class=12)), userdata.Recipe(), "letters")


@pytest.mark.parametrize("colour", [False, True], ids=["gray letters", "colour shapes"])
@pytest.mark.parametrize("family", ["conv", "vae", "mlp", "sparse"])
def test_every_page_works_on_a_classs_own_images(colour, family):
    data = _own_dataset(colour)
    name, model_name = f"own-test-{family}-{colour}", f"yours-own-{family}-{colour}"
    data.name = name
    config = ModelConfig(family=family, shape=data.shape, latent=2 if family == "vae" else 8, hidden=(32,))
    model = aeviz.build_model(config, seed=0).eval().requires_grad_(False)
    blob = checkpoint.to_bytes(model, half=True, dataset=name)
    at = new_app()
    at.session_state["own_datasets"] = {name: data}
    at.session_state["own_models"] = {
        model_name: OwnModel(model, ModelInfo(model_name, "own", name, model.config, {}, True), blob)
    }
    at.session_state["dataset"], at.session_state["model"] = name, model_name
    at.run()
    assert not at.exception and at.session_state["model"] == model_name
    views = every_lesson() if family == "sparse" else VIEWS  # every lesson once: the sparse one has most to say
    visit_every_view(at, [*PAGES, "data", "lectures"], model_name, views)


def test_a_session_keeps_at_most_its_share_of_image_sets():
    from aeviz.limits import LIMITS

    at = new_app().run()
    at.switch_page(page("data")).run()
    for _ in range(LIMITS.max_datasets + 1):
        at.session_state["ud_preview"] = _own_dataset(colour=False)  # as a finished "Read the images" job leaves it
        at.run()
        at.button(key="ud_use").click().run()
        assert not at.exception, [e.value for e in at.exception]
    assert len(at.session_state["own_datasets"]) == LIMITS.max_datasets
    assert at.error and "the most a session keeps" in at.error[0].value


def test_what_is_computed_from_own_images_stays_in_the_session_and_goes_with_them():
    data = _own_dataset(colour=True)
    at = new_app().run()
    at.switch_page(page("data")).run()
    at.session_state["ud_preview"] = data
    at.run()
    at.button(key="ud_use").click().run()
    (name,) = at.session_state["own_datasets"]
    assert at.session_state["dataset"] == name
    at.switch_page(page("latent")).run()  # no model of its own yet: says so, computes nothing
    assert not at.exception
    at.session_state["session_cache"] = {}
    config = ModelConfig(family="conv", shape=data.shape)
    model = aeviz.build_model(config, seed=0).eval().requires_grad_(False)
    blob = checkpoint.to_bytes(model, half=True, dataset=name)
    at.session_state["own_models"] = {"yours-c": OwnModel(model, ModelInfo("yours-c", "c", name, model.config, {}, True), blob)}
    at.session_state["model"] = "yours-c"
    at.run()
    assert not at.exception and at.session_state["session_cache"], "the scatter's codes and images: in the session"
    at.switch_page(page("data")).run()
    at.button(key=f"ud_del_{name}").click().run()
    assert not at.exception
    assert name not in at.session_state["own_datasets"] and not at.session_state["session_cache"]
    assert "yours-c" not in at.session_state["own_models"]
