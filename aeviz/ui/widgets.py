"""Small drawing helpers the pages share: a figure, a view picker, a matrix, a job's progress."""

from __future__ import annotations

from typing import Any

import numpy as np
import streamlit as st

from aeviz import checkpoint, plots
from aeviz.limits import LIMITS
from aeviz.service import Refused
from aeviz.tasks import JobSpec
from aeviz.ui import errors, state


def show(fig, key: str | None = None, **kw):
    """A plotly figure with the PNG download button in its toolbar, as the figure styles itself.

    `theme=None`: Streamlit's theme arrives as a template, which made plotly.js draw every new chart
    twice (see `plots.figure`). In presenter mode every figure is drawn 1.4 times as large."""
    config = plots.config_for(fig)
    if st.session_state.get(state.PRESENT):
        fig = plots.scaled(fig, 1.4)
    return st.plotly_chart(fig, config=config, key=key, theme=None, **kw)


def view(options: list[str], *, key: str) -> str:
    """Which of a page's views to show. One at a time, and only that one runs and is drawn: a page
    switch draws one view's charts, and a teacher shows one idea at a time.

    A segmented control, not `st.tabs(on_change="rerun")`, which did the same, but whose open panel
    re-checked every element in it on each change (react-aria's focus walker)."""
    # a stale link or a crafted value: the first view
    if st.session_state.get(key) not in options and (bad := st.session_state.pop(key, None)) is not None:
        st.toast(f"There is no view “{state.md(str(bad)[:40])}” here: showing “{options[0]}”.")  # a link's value: text
    return st.segmented_control("View", options, default=options[0], required=True, key=key, label_visibility="collapsed")


def grid(values, title: str | None = None, fmt: str = ".2f", key: str | None = None) -> None:
    """A small matrix as numbers in cells (the slides' worked examples)."""
    show(plots.number_grid(np.asarray(values), title=title, fmt=fmt), key=key)


def matrix(default, *, key: str, columns: list[str] | None = None) -> list[list[float]]:
    """An editable matrix of numbers (a slide's input), as lists of floats; the default again, with
    a warning, if what comes back is not a matrix of that shape (a crafted value, an emptied cell)."""
    import pandas as pd

    df = st.data_editor(pd.DataFrame(default, columns=columns), key=key, hide_index=True)
    try:
        values = df.to_numpy(float)
        if values.shape != np.shape(default) or not np.isfinite(values).all():
            raise ValueError
        return values.tolist()
    except (ValueError, TypeError):
        st.warning("Every cell needs a number: using the slide's values.")
        return np.asarray(default, float).tolist()


def table(values, fmt: str = "{:.4f}", index=None, columns=None) -> None:
    import pandas as pd

    df = pd.DataFrame(np.asarray(values, dtype=float), index=index, columns=columns)
    st.dataframe(df.style.format(fmt), width="content")


def job_status(job) -> None:
    """A job's state in one line: its place in the queue, or its progress and ETA."""
    if job.state == "queued":
        eta = f" · starts in about {job.eta:.0f} s" if job.eta is not None else ""
        st.progress(0.0, text=f"waiting for a free worker: {job.position + 1} in the queue{eta}")
    elif job.active:
        last = job.steps[-1] if job.steps else None
        text = f"{100 * job.progress:.0f} %"
        if last and "epoch" in last:
            text += f" · epoch {last['epoch']} · {last.get('samples_per_s', 0):,.0f} images/s"
        text += f" · about {job.eta:.0f} s left" if job.eta is not None and job.steps else " · starting…"
        st.progress(job.progress, text=text)
    for note in job.notes:
        st.info(note)


def run(spec: JobSpec, what: str) -> Any | None:
    """The result of `spec` (a lesson's run) from the training service: at once when it has run
    before, else None while its progress is shown, and the page runs again when it is ready. A
    shared spec (the same for every student) runs once per server. `what` names it for the student."""
    svc = state.service()
    runs = st.session_state.setdefault(state.RUNS, {})  # spec -> job id: this session's runs
    job = svc.view(runs.get(spec, ""))
    if job is None or (job.state in ("failed", "cancelled") and st.button("Try again", key=f"retry_{hash(spec)}")):
        try:
            job = svc.submit(spec, state.owner(), state.person())
        except Refused as e:
            st.warning(f"Can't run {what} now: {e}.")
            return None
        runs[spec] = job.id
    if job.state == "done":
        return job.result
    if job.state in ("failed", "cancelled"):
        st.error(f"{what.capitalize()} failed: {job.error or job.state}.")
        return None
    follow(job.id, caption=f"{what.capitalize()} runs on the training service, not in this page:")
    return None


def follow(job_id: str, *, caption: str = "", on_end=None, stop: str | None = None, live=None) -> None:
    """The one way a page follows a job on the training service: its place in the queue every 3 s,
    without figures (a class of 100 waiting for one worker redrew empty loss curves 200 times a
    second), then its progress twice a second with `live(job)` drawing what it has; when it ends,
    `on_end(job)` and a rerun of the whole page. Each pass reads a copy of the job (service.view)."""
    first = state.service().view(job_id)
    if first is None:
        return
    waiting = _waiting(first)

    def watch() -> None:
        job = state.service().view(job_id)
        if job is None:
            return
        # to the running pace once the job is about to start; never back (an ETA that grows again would
        # make the page flap between the two)
        if not job.active or (waiting and not _waiting(job)):
            if not job.active and on_end is not None:
                on_end(job)
            st.rerun()  # the whole page: the result, or the running job's figures
        if caption:
            st.caption(caption)
        job_status(job)
        if stop and st.button("Stop", key=f"{stop}_{'queued' if waiting else 'running'}", icon=":material/stop:"):
            state.service().cancel(job_id)
        if live is not None and job.state != "queued":  # running, or stopping: its curves stay
            live(job)

    # two fragments, not one with two intervals: a fragment is known by its function and its place on the
    # page, and the browser went on with the queued one's interval (or none) once the job ran
    if waiting:

        @errors.fragment(run_every=3.0)
        def queued_job() -> None:
            watch()

        queued_job()
    else:

        @errors.fragment(run_every=0.5)
        def running_job() -> None:
            watch()

        running_job()


def _waiting(job) -> bool:
    """Behind other jobs in the queue. A job about to start (next in line, or due within a few
    seconds when several workers free) is followed at the running pace: a short job (20 epochs of the
    shipped sample take 2 s) had ended before the 3 s pace saw it run, and its student never saw its
    progress."""
    if job.state != "queued":
        return False
    return not (job.position == 0 or (job.eta is not None and job.eta <= SOON_S))


SOON_S = 3.0  # the waiting pace: a job due sooner than that is followed at the running one


SAVED = {"saved": ":material/cloud_done: saved", "saving": ":material/cloud_upload: saving…"}


def your_models() -> None:
    """The student's own models (download, delete), a checkpoint upload, their whole work as a
    project file, and their resume link: the Train page's foot."""
    st.subheader("Your models")
    own = state.own_models()
    kept = state.lasting_person() is not None
    if not own:
        where = "kept for you on this server (a reload brings them back)" if kept else "for this session only"
        st.caption(f"Models you train (or upload) appear here and in the sidebar's model picker, {where}.")
    shared = state.fresh(state.SHARED_FLAGS, _shared) if kept else {}
    for name, m in list(own.items()):
        c1, c2, c3 = st.columns([5, 1, 1])
        mse = m.info.metrics.get("mse", float("nan"))
        status = state.saved(name)
        badge = f" · {SAVED.get(status, f':material/cloud_off: not saved: {state.md(status)}')}" if status else ""
        c1.markdown(f"**{m.info.title}** · {state.dataset_title(m.info.dataset)} · test MSE {mse:.4f}{badge}")
        c2.download_button(
            "Download", m.checkpoint, file_name=f"{name}.safetensors", key=f"dl_{name}", icon=":material/download:"
        )
        if c3.button("Delete", key=f"del_{name}", icon=":material/delete:"):
            state.remove_own(name)
            st.rerun()
        if name in shared:  # trained for a class's assignment: its student chooses whether the board shows it
            on = c1.toggle("Shared on the class board", value=shared[name], key=f"share_{name}_{shared[name]}")
            if on != shared[name]:
                _set_shared(name, on)

    up = st.file_uploader(
        f"Upload a checkpoint (.safetensors, up to {LIMITS.max_upload_mb:.0f} MB)", type=["safetensors"], key="tr_upload",
        max_upload_size=int(LIMITS.max_upload_mb),
    )  # fmt: skip
    if up is not None and st.session_state.get(state.TRAIN_UPLOADED) != up.file_id:
        st.session_state[state.TRAIN_UPLOADED] = up.file_id
        try:
            state.notice(state.adopt_checkpoint(up.name, up.getvalue()))
            st.rerun()  # the whole app: the sidebar lists it now, not after the next click
        except (checkpoint.CheckpointError, ValueError) as e:
            st.error(f"Can't load {up.name}: {e}.")
    your_work(kept)


def _shared() -> dict[str, bool]:
    from aeviz.store import StoreUnavailable
    from aeviz.store import classes as book

    if (s := state.store()) is None or (who := state.lasting_person()) is None:
        return {}
    try:
        return book.shared_of(s, who)
    except StoreUnavailable as e:
        state.store_failed(e)
        return {}


def _set_shared(name: str, on: bool) -> None:
    from aeviz.store import StoreUnavailable
    from aeviz.store import classes as book
    from aeviz.ui import classroom

    try:
        book.set_shared(classroom.store(), state.lasting_person(), name, on)
        st.session_state.pop(state.SHARED_FLAGS, None)  # read again: the toggle shows what the store now says
        st.rerun()
    except (StoreUnavailable, book.ClassError) as e:
        st.error(f"Can't change it now: {e}.")


def your_work(kept: bool) -> None:
    """All of a student's work as one file, in and out; their resume link; their recent jobs."""
    # the resume link is shown by itself once, when a student first has work kept (never while projecting);
    # after that it is one toggle away
    first = (
        kept
        and bool(state.own_models() or state.own_datasets())
        and not st.session_state.get(state.PRESENT)
        and not st.session_state.get(state.RESUME_SEEN)
    )
    if first:
        st.session_state[state.RESUME_SEEN] = True
    with st.expander("All your work in one file, and your resume link", icon=":material/inventory_2:", expanded=first):
        st.caption(
            "A project file holds every model you keep (weights, recipe, metrics, loss curve) and your image sets: "
            "any aeviz imports it."
        )
        if st.button("Prepare my project file", key="pj_make", icon=":material/archive:"):
            st.session_state[state.PROJECT_FILE] = state.export_project()
        if (blob := st.session_state.get(state.PROJECT_FILE)) is not None:
            st.download_button("Download project file", blob, file_name="aeviz-project.zip", key="pj_dl",
                               icon=":material/download:", on_click="ignore")  # fmt: skip
        up = st.file_uploader("Import a project file (.zip)", type=["zip"], key="pj_upload",
                              max_upload_size=int(LIMITS.max_upload_mb))  # fmt: skip
        if up is not None and st.session_state.get(state.PROJECT_UPLOADED) != up.file_id:
            st.session_state[state.PROJECT_UPLOADED] = up.file_id
            from aeviz.store.project import ProjectError

            try:
                state.notice(state.import_project(up.getvalue()) + ": they are in the sidebar's pickers.")
                st.rerun()
            except (ProjectError, ValueError) as e:
                st.error(f"Can't import {state.md(up.name[:60])}: {e}.")
        if kept and not st.session_state.get(state.PRESENT):
            resume_link(first)
    if kept and (jobs := state.fresh(state.RECENT_JOBS, _recent_jobs)):
        st.caption("Your recent training jobs (in any tab): " + " · ".join(jobs))


def resume_link(first: bool = False) -> None:
    """The student's own way back to their work from another browser: shown on their screen only, never projected."""
    from aeviz.ui import classroom, identity, share

    value = st.context.cookies.get(identity.COOKIE)
    if identity.verify(value) is None:
        return
    if first:
        st.session_state[state.SHOW_RESUME] = True
    if st.toggle("Show my resume link", key=state.SHOW_RESUME, help="your key to your work: keep it to yourself"):
        url = f"{classroom.base_url()}/?{identity.RESUME}={value}"
        # drawn at the size shown: a larger PNG is scaled down by Streamlit on the server at every rerun
        png, _ = share.qr_codes(url, scale=4)
        a, b = st.columns([1, 2])
        a.image(png)
        b.markdown("Open this link on another device, or after closing this browser, to get your work back. "
                   "Anyone with it can see and change your work: keep it to yourself.")  # fmt: skip
        b.code(url, language=None, wrap_lines=True)


def _recent_jobs() -> list[str]:
    from aeviz.store import StoreUnavailable

    s, who = state.store(), state.lasting_person()
    try:
        rows = s.jobs(who) if s is not None and who else []
    except StoreUnavailable as e:
        state.store_failed(e)
        return []
    return [f"{state.md(r['title'])}: {r['state']}" for r in rows[:5]]
