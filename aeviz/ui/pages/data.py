"""Your images: a class's own pictures (a zip with class folders, image files, an .npz) as a dataset."""

import streamlit as st

from aeviz import plots, userdata
from aeviz.limits import LIMITS
from aeviz.service import Refused
from aeviz.tasks import JobSpec
from aeviz.ui import state
from aeviz.ui.widgets import SAVED, follow, show

st.header("Your images")
WHERE = (
    "once you use them, this server keeps them for you alone, under your resume token (a reload, or your resume "
    f"link, brings them back), until you delete them or {state.dropin_hours():g} h after your last visit"
    if state.lasting_person()
    else "this server's memory, in your session only (no file is written; a session ends a minute after its tab "
    "closes, and they go with it)"
)
st.caption(
    "A .zip of pictures (sub-folders become the classes), several image files, or an .npz with `x` and optional `y`. "
    f"Where your images go: {WHERE}; while a job reads or trains on them, one training worker's memory holds them for "
    "that job alone. Live training previews show the model's filters, never your pictures; nothing computed from them "
    "is shared with another student, and links never carry them."
)
files = st.file_uploader(
    f"Images (PNG, JPEG, GIF, BMP, WebP), a .zip of them, or an .npz; up to {LIMITS.max_upload_mb:.0f} MB",
    type=["zip", "npz", "png", "jpg", "jpeg", "gif", "bmp", "webp"], accept_multiple_files=True, key="ud_files",
    max_upload_size=int(LIMITS.max_upload_mb),
)  # fmt: skip


def _size_follows_colour() -> None:
    # The lecture-sized default for each: 28×28 like MNIST for gray, 32×32 like CIFAR-10 for colour.
    st.session_state[state.DATA_SIZE] = 32 if st.session_state[state.DATA_COLOR] else 28


c = st.columns(5)
color = c[0].toggle("Colour", key=state.DATA_COLOR, help="3 channels; otherwise gray", on_change=_size_follows_colour)
size = c[1].selectbox("Size", userdata.SIZES, key=state.DATA_SIZE, format_func=lambda s: f"{s}×{s}")
crop = c[2].radio("Fit", ["resize", "mnist"], key="ud_crop", format_func={"resize": "resize", "mnist": "MNIST-style crop"}.get,
                  disabled=color, help="MNIST-style: the ink cropped, 20×20, centred by mass in 28×28 (gray only)")  # fmt: skip
invert = c[3].radio(
    "Invert", ["auto", "always", "never"], key="ud_invert", help="auto: dark ink on light paper becomes light on dark"
)
share = c[4].slider("Held out to test", 0.05, 0.5, 0.1, 0.05, key="ud_share")
sets = st.selectbox("…or one of torchvision's sets, at its own size and colour (needs internet the first time)",
                    ["", *userdata.TORCHVISION], key="ud_tv",
                    format_func=lambda k: k or "—")  # fmt: skip

job = state.service().view(st.session_state.get(state.DATA_JOB, ""))
if st.button(
    "Read the images", key="ud_read", icon=":material/upload:", disabled=not (files or sets) or bool(job and job.active)
):
    try:
        mnist_crop = crop == "mnist" and not color
        recipe = userdata.Recipe(
            color=bool(color), size=28 if mnist_crop else int(size), crop="mnist" if mnist_crop else "resize", invert=invert
        ).to_dict()
        stem = sets or (files[0].name.rsplit(".", 1)[0] if files else "images")
        name = userdata.slug(stem)
        uploads = tuple((f.name, f.getvalue()) for f in files or ())
        spec = JobSpec.of("ingest", files=uploads, recipe=recipe, name=name, test_share=float(share), torchvision=sets or None)
        job = state.service().submit(spec, state.owner(), state.person())
        st.session_state[state.DATA_JOB] = job.id
    except (userdata.UserDataError, Refused) as e:
        st.error(f"Can't read them: {e}.")


if job is not None:
    follow(job.id, on_end=state.take_ingested)
data = st.session_state.get(state.DATA_PREVIEW)
if data is not None:
    st.subheader("Preview")
    st.markdown(state.md(userdata.describe(data)) + (f" · {len(data.skipped)} files left out" if data.skipped else ""))
    show(plots.image_grid(data.train.floats(slice(0, 32)).numpy(), 16, tile_px=48), key="ud_preview_grid")
    if data.skipped:
        with st.expander("Left out"):
            st.text("\n".join(data.skipped[:50]))
    if st.button("Use these images", key="ud_use", type="primary", icon=":material/check:"):
        try:
            name = state.add_dataset(data)
        except ValueError as e:
            st.error(f"Can't keep them: {e}.")
        else:
            st.session_state.pop(state.DATA_PREVIEW, None)
            st.session_state[state.PICK] = (name, None)
            st.rerun()

own = state.own_datasets()
if own:
    st.subheader("Your datasets")
    for name, d in list(own.items()):
        a, b, c = st.columns([5, 1, 1])
        status = state.saved(name)
        badge = f" · {SAVED.get(status, f':material/cloud_off: not saved: {state.md(status)}')}" if status else ""
        a.markdown(f"**{state.md(d.name)}** · {state.md(userdata.describe(d))}{badge}")
        b.download_button("Download", d.to_npz, file_name=f"{name}.npz", key=f"ud_dl_{name}", icon=":material/download:")
        if c.button("Delete", key=f"ud_del_{name}", icon=":material/delete:", help="with the models trained on them"):
            n = state.remove_dataset(name)
            state.notice(f"Deleted {d.name}" + (f" and the {n} models trained on it" if n else ""))
            st.rerun()
    st.caption("Pick one in the sidebar; train a model on it on the Train page. A download (.npz) can be uploaded again here.")
