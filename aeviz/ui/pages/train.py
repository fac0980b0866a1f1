"""Train your own: every hyper-parameter the lectures use, trained in a worker process, yours alone."""

import dataclasses
import uuid

import streamlit as st

from aeviz import checkpoint, plots, presets
from aeviz.config import ACTIVATIONS, NOISES, ModelConfig, TrainConfig
from aeviz.jobs import LIMITS, TrainJob, check_limits
from aeviz.models import list_models
from aeviz.ui import common as ui

st.header("Train your own")

FC = dict(hidden=(128, 64), latent=32)
PRESETS = {
    "Lecture 000 · FC nonlinear 784-128-64-32": ("mnist", presets.FAMILY["mlp"], presets.TRAIN.replace(epochs=5)),
    "Lecture 000 · FC linear 784-128-64-32": ("mnist", presets.FAMILY["linear"], presets.TRAIN.replace(epochs=5)),
    "Lecture 000 · Conv AE": ("mnist", presets.FAMILY["conv"], presets.FAMILY_TRAIN["conv"].replace(epochs=3)),
    "Lecture 002 · one layer, 2 latents": (
        "mnist",
        ModelConfig(family="mlp", hidden=(), latent=2),
        presets.TRAIN.replace(epochs=5),
    ),
    "Lecture 002 · one layer, 10 latents": (
        "mnist",
        ModelConfig(family="mlp", hidden=(), latent=10),
        presets.TRAIN.replace(epochs=5),
    ),
    "Lecture 002 · one layer, 20 latents": (
        "mnist",
        ModelConfig(family="mlp", hidden=(), latent=20),
        presets.TRAIN.replace(epochs=5),
    ),
    "Tutorial 10 Q1 · 9-4-9 on five patterns, α = 0.1": (
        "patterns",
        presets.PATTERNS_MODEL,
        presets.PATTERNS_TRAIN.replace(epochs=3000),
    ),
    "Tutorial 10 Q1 · with sparsity β = 0.5, ρ = 0.1": (
        "patterns",
        presets.PATTERNS_SPARSE,
        presets.PATTERNS_TRAIN.replace(epochs=3000),
    ),
    "Tutorial 10 Q2a · undercomplete, 49 hidden": ("random", presets.RANDOM_UNDER, presets.RANDOM_TRAIN.replace(epochs=500)),
    "Tutorial 10 Q2b · overcomplete, 144 hidden": ("random", presets.RANDOM_OVER, presets.RANDOM_TRAIN.replace(epochs=500)),
    "Tutorial 10 Q2c · sparse, 144 hidden, ρ = 0.05, β = 0.5": (
        "random",
        presets.RANDOM_SPARSE,
        presets.RANDOM_TRAIN.replace(epochs=500),
    ),
    "Tutorial 10 Q3 · denoising, 625 hidden, 10 % masking, α = 0.1": (
        "mnist",
        ModelConfig(
            family="denoising", hidden=(), latent=625, code_activation="sigmoid", recon="bce", noise="masking", noise_level=0.1
        ),
        TrainConfig(epochs=3, batch_size=128, optimizer="sgd", lr=0.1, cosine=False, max_samples=20_000),
    ),
    "VAE · 2-D latent, β = 1": (
        "mnist",
        ModelConfig(family="vae", hidden=(256, 128), latent=2, recon="bce"),
        presets.TRAIN.replace(epochs=5),
    ),
}
DATASETS = {
    "mnist": "MNIST",
    "fashion": "Fashion-MNIST",
    "patterns": "Tutorial 10's five 3×3 patterns",
    "random": "100 random 10×10 images",
}


def apply_preset() -> None:
    dataset, m, t = PRESETS[st.session_state["tr_preset"]]
    st.session_state.update({
        "tr_dataset": dataset, "tr_family": m.family, "tr_latent": m.latent, "tr_hidden": ",".join(map(str, m.hidden)),
        "tr_activation": m.activation, "tr_recon": m.recon, "tr_rho": m.rho, "tr_beta": m.beta, "tr_noise": m.noise,
        "tr_noise_level": m.noise_level, "tr_upsample": m.upsample, "tr_backbone": m.backbone, "tr_code": m.code_activation,
        "tr_optimizer": t.optimizer, "tr_lr": t.lr, "tr_epochs": t.epochs, "tr_batch": t.batch_size,
        "tr_samples": t.max_samples or LIMITS.max_samples,
    })  # fmt: skip


if "tr_family" not in st.session_state:
    st.session_state["tr_preset"] = next(iter(PRESETS))
    apply_preset()

st.selectbox("Start from a lecture's settings", list(PRESETS), key="tr_preset", on_change=apply_preset)
with st.container(border=True):
    c = st.columns(4)
    dataset = c[0].selectbox("Dataset", list(DATASETS), format_func=DATASETS.get, key="tr_dataset")
    family = c[1].selectbox("Family", list_models(), key="tr_family")
    latent = c[2].number_input("Latent size", 1, 1024, key="tr_latent")
    hidden_text = c[3].text_input("Hidden sizes", key="tr_hidden", help="comma-separated, e.g. 128,64; empty for one layer")
    c = st.columns(4)
    activation = c[0].selectbox("Activation", ACTIVATIONS, key="tr_activation")
    code_act = c[1].selectbox("Code activation", ACTIVATIONS, key="tr_code", help="the sparse family always uses sigmoid")
    recon = c[2].selectbox(
        "Loss", ["mse", "bce"], format_func={"mse": "squared error", "bce": "cross-entropy"}.get, key="tr_recon"
    )
    optimizer = c[3].selectbox("Optimiser", ["adam", "sgd"], key="tr_optimizer")
    c = st.columns(4)
    lr = c[0].number_input("Learning rate α", 1e-5, 10.0, format="%.4f", key="tr_lr")
    epochs = c[1].number_input("Epochs", 1, 10_000, key="tr_epochs")
    batch = c[2].number_input("Batch size", 1, 4096, key="tr_batch")
    samples = c[3].number_input("Training images", 1, 60_000, key="tr_samples", disabled=dataset in ("patterns", "random"))
    c = st.columns(4)
    rho = c[0].number_input("Sparsity ρ", 0.001, 0.999, format="%.3f", key="tr_rho", disabled=family != "sparse")
    beta = c[1].number_input(
        "β", 0.0, 100.0, key="tr_beta", disabled=family not in ("sparse", "vae"), help="sparsity weight, or the VAE's KL weight"
    )
    noise = c[2].selectbox("Noise", NOISES, key="tr_noise", disabled=family != "denoising")
    noise_level = c[3].number_input("Noise level", 0.0, 1.0, key="tr_noise_level", disabled=family != "denoising")
    c = st.columns(4)
    upsample = c[0].selectbox(
        "Decoder upsampling", ["transpose", "nearest", "unpool"], key="tr_upsample", disabled=family != "conv"
    )
    backbone = c[1].selectbox("Backbone", ["mlp", "conv"], key="tr_backbone", disabled=family not in ("denoising", "vae"))
st.caption(
    f"Limits on this server: {LIMITS.max_epochs} epochs ({LIMITS.max_toy_epochs:,} on the toy sets), "
    f"{LIMITS.max_samples:,} training images, "
    f"{LIMITS.max_params:,} parameters, {LIMITS.max_seconds / 60:.0f} minutes per job, one job at a time per student."
)


def build_configs() -> tuple[ModelConfig, TrainConfig]:
    hidden = tuple(int(h) for h in hidden_text.replace(" ", "").split(",") if h)
    shape = {"patterns": (1, 3, 3), "random": (1, 10, 10)}.get(dataset, (1, 28, 28))
    model = ModelConfig(
        family=family, shape=shape, hidden=hidden, latent=int(latent), activation=activation, code_activation=code_act,
        recon=recon, rho=float(rho), beta=float(beta), noise=noise, noise_level=float(noise_level), upsample=upsample,
        backbone=backbone,
    )  # fmt: skip
    from aeviz import build_model

    build_model(model)  # refuses shapes a family cannot take, with the reason
    n = None if dataset in ("patterns", "random") else int(samples)
    return model, TrainConfig(epochs=int(epochs), batch_size=int(batch), optimizer=optimizer, lr=float(lr), max_samples=n)


job: TrainJob | None = st.session_state.get("tr_job")
busy = job is not None and job.running
if st.button("Train", key="tr_start", type="primary", icon=":material/play_arrow:", disabled=busy):
    try:
        model_cfg, train_cfg = build_configs()
        problems = check_limits(model_cfg, train_cfg, toy=dataset in ("patterns", "random"))
    except ValueError as e:
        problems = [str(e)]
    if problems:
        st.error("Can't start: " + "; ".join(problems) + ".")
    else:
        job = st.session_state["tr_job"] = TrainJob(model_cfg, train_cfg, dataset).start()
        st.session_state.pop("tr_added", None)


def finish(job: TrainJob) -> None:
    """Put the finished model in this session's picker (once)."""
    if st.session_state.get("tr_added") is job.started or job.result is None:
        return
    model, _ = checkpoint.from_bytes(job.result["checkpoint"])
    model.requires_grad_(False)
    name = f"yours-{uuid.uuid4().hex[:8]}"
    number = len(ui.session_models()) + 1
    info = {
        "title": f"#{number} {job.model.family}, latent {job.model.latent}",
        "dataset": job.dataset,
        "config": dataclasses.asdict(job.model),
        "metrics": job.result["metrics"],
        "checkpoint": job.result["checkpoint"],
    }
    ui.session_models()[name] = (model, info)
    st.session_state["tr_added"] = job.started
    st.rerun()  # the whole app, so the sidebar's model picker lists it


def progress(job: TrainJob) -> None:
    job.poll()
    p = job.progress
    last = job.steps[-1] if job.steps else None
    eta = job.eta
    label = f"{100 * p:.0f} %" + (f" · {last['samples_per_s']:,.0f} images/s · epoch {last['epoch']}" if last else " · starting…")
    label += f" · ETA {eta:.0f} s" if eta is not None and job.running else ""
    st.progress(p, text=label)
    if job.note:
        st.info(job.note)
    if job.error:
        st.error(f"Training failed: {job.error}")
    elif job.result is not None:
        r = job.result
        how = "stopped" if r["stopped"] and not r["timed_out"] else "hit the time limit" if r["timed_out"] else "done"
        st.success(f"{how} after {r['seconds']:.1f} s · test MSE {r['metrics']['mse']:.4f}")
        finish(job)
    a, b = st.columns([3, 2])
    with a:
        ui.show(plots.loss_curve(job.steps), key="tr_curve")
    if job.preview is not None:
        with b:
            x, x_hat = job.preview["x"], job.preview["x_hat"]
            ui.show(plots.reconstruction_rows([x, x_hat], ["input", "output"], tile_px=44), key="tr_preview")
            w = job.preview["filters"]
            # FC rows are images of the input's shape; conv kernels (out, in, k, k) show their first channel
            w = w.reshape(len(w), *x.shape[-2:]) if w.ndim == 2 else w[:, 0]
            ui.show(plots.filter_grid(w, cols=8, tile_px=36, title="first-layer filters"), key="tr_filters")


if job is not None:
    st.subheader("Progress")
    # outside the ticking fragment, so the button is not redrawn (and moved) twice a second
    if job.running and st.button("Stop", key="tr_stop", icon=":material/stop:"):
        job.stop()
    st.fragment(run_every=0.5 if job.running else None)(progress)(job)

own = ui.session_models()
st.subheader("Your models")
if not own:
    st.caption("Models you train (or upload) appear here and in the sidebar's model picker, for this session only.")
for name, (_, info) in own.items():
    c1, c2 = st.columns([4, 1])
    c1.markdown(
        f"**{info['title']}** · {DATASETS.get(info['dataset'], info['dataset'])} · "
        f"test MSE {info['metrics'].get('mse', float('nan')):.4f}"
    )
    c2.download_button(
        "Download", info["checkpoint"], file_name=f"{name}.safetensors", key=f"dl_{name}", icon=":material/download:"
    )

up = st.file_uploader("Upload a checkpoint (.safetensors)", type=["safetensors"], key="tr_upload")
if up is not None and st.session_state.get("tr_uploaded") != up.file_id:
    try:
        model, meta = checkpoint.from_bytes(up.getvalue())
    except checkpoint.CheckpointError as e:
        st.error(f"Can't load {up.name}: {e}.")
    else:
        model.requires_grad_(False)
        ds = meta.get("dataset", "mnist")
        info = {"title": f"uploaded {up.name}", "dataset": ds, "config": dataclasses.asdict(model.config),
                "metrics": meta.get("metrics", {}), "checkpoint": up.getvalue()}  # fmt: skip
        own[f"yours-{uuid.uuid4().hex[:8]}"] = (model, info)
        st.session_state["tr_uploaded"] = up.file_id
        st.success(f"Loaded {up.name}: a {model.config.family} model for {DATASETS.get(ds, ds)}.")
