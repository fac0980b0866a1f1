"""Train your own: every hyper-parameter the lectures use, trained on the training service, yours alone."""

import streamlit as st

from aeviz import limits, plots, presets
from aeviz.config import (
    ACTIVATIONS,
    BACKBONES,
    FAMILIES,
    NOISES,
    OPTIMIZERS,
    RECON_LOSSES,
    SPARSITY,
    UPSAMPLERS,
)
from aeviz.limits import LIMITS
from aeviz.service import Refused
from aeviz.store import classes as book
from aeviz.tasks import JobSpec
from aeviz.ui import classroom, state
from aeviz.ui.nav import PAGES
from aeviz.ui.widgets import follow, show, your_models

st.header("Train your own")
SHAPES = state.shapes()


def assignment() -> None:
    """The class's assignment at this student's value, one click away (aeviz.ui.classroom)."""
    mine = classroom.mine()
    if mine is None:
        return
    c, me = mine
    name = book.PARAMS[c.param][0]
    with st.container(border=True):
        st.markdown(f"**Class {c.code or ''} assignment:** {state.md(presets.PRESETS[c.preset].title)}, "
                    f"with your {name} = **{me.value:g}** (change it on the Class page).")  # fmt: skip
        st.caption("When it is done it is shared on the class board: your nickname, its settings, metrics and loss curve, "
                   "and its reconstructions of the class's 8 probe test images, never your own images. You can stop "
                   "sharing it under Your models.")  # fmt: skip
        job = state.job()
        if st.button("Train the assignment", key="tr_assignment", type="primary", icon=":material/play_arrow:",
                     disabled=c.paused or (job is not None and job.active)):  # fmt: skip
            c, me = classroom.mine(force=True) or (c, me)  # the teacher may have paused it a moment ago
            try:
                if c.paused:
                    raise ValueError("your teacher has paused training for the class")
                dataset, model_cfg, train_cfg = classroom.assignment_spec(c, me.value)
                if problems := limits.check_job(model_cfg, train_cfg, dataset):
                    raise ValueError("; ".join(problems))
                spec = JobSpec.of("train", title=f"class {c.code}: {model_cfg.family}, {name} {me.value:g}", model=model_cfg,
                                  train=train_cfg, dataset=dataset, images=None, assignment=(c.id, me.value))  # fmt: skip
                st.session_state[state.JOB] = state.service().submit(spec, state.owner(), state.person(), lasting=True).id
            except (ValueError, Refused) as e:
                st.error(f"Can't start: {e}.")
        if c.paused:
            st.warning("Your teacher has paused training for the class.")


assignment()


def apply_preset() -> None:
    p = presets.PRESETS.get(st.session_state.get(state.TRAIN_PRESET), next(iter(presets.PRESETS.values())))
    m, t = p.model, p.train
    dataset = p.dataset or next((n for n, s in SHAPES.items() if s[0] == m.shape[0]), st.session_state.get(state.TRAIN_DATASET))
    st.session_state.update({
        state.TRAIN_DATASET: dataset, "tr_family": m.family, "tr_latent": m.latent, "tr_hidden": ",".join(map(str, m.hidden)),
        "tr_activation": m.activation, "tr_code": m.code_activation, "tr_recon": m.recon, "tr_sparsity": m.sparsity,
        "tr_rho": m.rho, "tr_beta": m.beta, "tr_noise": m.noise, "tr_noise_level": m.noise_level, "tr_upsample": m.upsample,
        "tr_backbone": m.backbone, "tr_optimizer": t.optimizer, "tr_lr": t.lr, "tr_epochs": t.epochs,
        "tr_batch": t.batch_size, "tr_samples": t.max_samples or LIMITS.max_samples, "tr_tied": m.tied, "tr_greedy": t.greedy,
    })  # fmt: skip


if "tr_family" not in st.session_state or st.session_state.get(state.TRAIN_PRESET) not in presets.PRESETS:
    st.session_state[state.TRAIN_PRESET] = next(iter(presets.PRESETS))
    apply_preset()

preset = st.selectbox(
    "Start from a lecture's settings", list(presets.PRESETS), format_func=lambda k: presets.PRESETS[k].title,
    key=state.TRAIN_PRESET, on_change=apply_preset,
)  # fmt: skip
st.page_link(
    PAGES / "data.py",
    label="Train on your own images: upload them on the Your images page",
    icon=":material/photo_library:",
)
if presets.PRESETS[preset].note:
    st.caption(f"Where this departs from the lecture: {presets.PRESETS[preset].note}.")
w = {}  # widget values, checked on the server by ModelConfig, TrainConfig and aeviz.limits
with st.container(border=True):
    c = st.columns(4)
    w["dataset"] = c[0].selectbox("Dataset", list(SHAPES), format_func=state.dataset_title, key=state.TRAIN_DATASET)
    w["family"] = c[1].selectbox("Family", FAMILIES, key="tr_family")
    w["latent"] = c[2].number_input("Latent size", 1, 1024, key="tr_latent", help="the conv family's code is its feature maps")
    w["hidden"] = c[3].text_input("Hidden sizes", key="tr_hidden", help="comma-separated, e.g. 128,64; empty for one layer")
    c = st.columns(4)
    w["activation"] = c[0].selectbox("Activation", ACTIVATIONS, key="tr_activation")
    w["code_activation"] = c[1].selectbox(
        "Code activation", ACTIVATIONS, key="tr_code", help="the sparse family always uses sigmoid"
    )
    w["recon"] = c[2].selectbox(
        "Loss", RECON_LOSSES, format_func={"mse": "squared error", "bce": "cross-entropy"}.get, key="tr_recon"
    )
    w["optimizer"] = c[3].selectbox("Optimiser", OPTIMIZERS, key="tr_optimizer")
    c = st.columns(4)
    w["lr"] = c[0].number_input("Learning rate α", 1e-5, 10.0, format="%.4f", key="tr_lr")
    w["epochs"] = c[1].number_input("Epochs", 1, 10_000, key="tr_epochs")
    w["batch_size"] = c[2].number_input("Batch size", 1, 4096, key="tr_batch")
    w["max_samples"] = c[3].number_input(
        "Training images", 1, 60_000, key="tr_samples", disabled=w["dataset"] in limits.TOY_DATASETS
    )
    c = st.columns(4)
    w["sparsity"] = c[0].selectbox("Sparsity penalty", SPARSITY, key="tr_sparsity", help="KL(ρ‖ρ̂) needs a sigmoid code")
    w["rho"] = c[1].number_input("Sparsity ρ", 0.001, 0.999, format="%.3f", key="tr_rho")
    w["beta"] = c[2].number_input("β", 0.0, 100.0, key="tr_beta", help="the sparsity weight, or the VAE's KL weight")
    w["noise"] = c[3].selectbox("Input noise", NOISES, key="tr_noise")
    c = st.columns(4)
    w["noise_level"] = c[0].number_input("Noise level", 0.0, 1.0, key="tr_noise_level", help="above 0: trains as a denoiser")
    w["upsample"] = c[1].selectbox("Decoder upsampling", UPSAMPLERS, key="tr_upsample")
    w["backbone"] = c[2].selectbox("Backbone", BACKBONES, key="tr_backbone", help="for the denoising and VAE families")
    w["tied"] = c[3].toggle("Tied weights", key="tr_tied", help="the decoder is the encoder transposed (FC families)")
    w["greedy"] = c[3].toggle("Layer by layer", key="tr_greedy", help="a stacked AE: each layer trained on the last one's codes")
st.caption(
    f"Limits on this server: {limits.describe()}. β is quoted against the reconstruction error summed over an image's "
    "pixels (not averaged), as in the lectures."
)


job = state.job()
if st.button("Train", key="tr_start", type="primary", icon=":material/play_arrow:", disabled=job is not None and job.active):
    try:
        dataset = w["dataset"] if w["dataset"] in SHAPES else "mnist"
        model_cfg, train_cfg = presets.from_form(w, SHAPES[dataset], toy=dataset in limits.TOY_DATASETS)
        if problems := limits.check_job(model_cfg, train_cfg, dataset):
            raise ValueError("; ".join(problems))
        title = f"{model_cfg.family}, code {'×'.join(map(str, presets.code_shape(model_cfg)))}"
        job = state.service().submit(
            JobSpec.of(
                "train", title=title, model=model_cfg, train=train_cfg, dataset=dataset, images=state.own_datasets().get(dataset)
            ),
            state.owner(),
            state.person(),
            lasting=state.lasting_person() is not None,  # kept for its student even if this tab closes
        )
        st.session_state[state.JOB] = job.id
    except (ValueError, TypeError, Refused) as e:
        st.error(f"Can't start: {e}.")


def kept(job) -> None:
    # said on the next run (a toast): this one is about to be replaced by a rerun
    if job.state == "failed":
        state.notice(f"Training failed: {job.error}.")
    elif job.state == "done" and job.result is not None:
        try:
            state.notice(state.keep_trained(job))
        except ValueError as e:
            state.notice(f"Can't keep the model: {e}.")
    state.service().forget(job.id)
    st.session_state.pop(state.JOB, None)


def live(job) -> None:
    a, b = st.columns([3, 2])
    with a:
        show(plots.loss_curve(job.steps), key="tr_curve")
    if job.preview is not None:
        with b:
            if "x" in job.preview:
                x, x_hat = job.preview["x"], job.preview["x_hat"]
                show(plots.reconstruction_rows([x, x_hat], ["input", "output"], tile_px=44), key="tr_preview")
            else:
                st.caption("Your own pictures are not sent while the model trains: they come back with it when it is done.")
            show(plots.filter_grid(job.preview["filters"], cols=8, tile_px=36, title="first-layer filters"), key="tr_filters")


if job is not None:
    st.subheader("Progress")
    follow(job.id, on_end=kept, stop="tr_stop", live=live)

your_models()
