"""Page config, the sidebar and navigation. Every page reads the sidebar's choice through `state.current()`."""

from __future__ import annotations

import gc
import logging

import streamlit as st
import torch

from aeviz.ui import classroom, errors, links, share, state
from aeviz.ui.nav import PAGE_LIST, PAGES

log = logging.getLogger("aeviz.ui")

# The app's forward passes are small (tens of images): one thread does them in a millisecond or two,
# while a second OpenMP thread only spins against the browser and the other sessions for the cores.
torch.set_num_threads(1)


@st.cache_resource(show_spinner=False)
def _freeze_heap() -> bool:
    """Python's collector walks every object it tracks; freezing the heap that exists after start-up
    (torch, models) leaves it only what a rerun makes."""
    gc.collect()
    gc.freeze()
    return True


def sidebar() -> None:
    """Dataset and model pickers; keeps the same kind of model when the dataset changes."""
    # Each picker's default is its current value, not the first option: the browser shows a widget's
    # default whenever it missed the run that set its value (a page clicked while the app is still
    # loading), and sent that back on the next run, silently switching the model.
    if pick := st.session_state.pop(state.PICK, None):  # a model (or a dataset) just trained or uploaded
        st.session_state[state.DATASET], st.session_state[state.MODEL] = pick
    names = state.datasets()
    titles = {n: state.dataset_title(n) for n in names}
    current = st.session_state.get(state.DATASET)
    if current not in names:  # a crafted value, or a toy set whose models were deleted
        current = st.session_state[state.DATASET] = names[0]
    dataset = st.sidebar.selectbox(
        "Dataset", names, index=names.index(current), format_func=titles.__getitem__, key=state.DATASET
    )
    models = state.model_names(dataset)
    if not models:  # a class's own images, before a model is trained on them
        st.session_state[state.MODEL] = None
        st.sidebar.info("No model for these images yet: train one on the Train page.")
        return
    current = st.session_state.get(state.MODEL)
    if current not in models:  # e.g. mnist-conv -> fashion-conv after switching datasets
        twin = f"{dataset}-{current.split('-', 1)[1]}" if current and "-" in current else None
        current = twin if twin in models else next((n for n in models if n.endswith("-conv")), models[0])
        # set, not left to the index: Streamlit keeps a value whose label is still an option ("VAE")
        st.session_state[state.MODEL] = current
    titles = {n: state.title(n) for n in models}  # looked up now: a format_func may be called outside this run
    st.sidebar.selectbox("Model", models, index=models.index(current), format_func=titles.__getitem__, key=state.MODEL)


def _server_full() -> bool:
    """More tabs open than this server serves well (the 2-core bench: p95 0.47 s at 100)."""
    from streamlit.runtime import Runtime

    from aeviz.limits import LIMITS

    try:
        return Runtime.instance()._session_mgr.num_active_sessions() > LIMITS.max_sessions
    except (RuntimeError, AttributeError):  # no runtime (AppTest), or its internals moved: serve
        return False


def run_page(nav) -> None:
    """The page, guarded: a bug shows an error id the student can tell the teacher (aeviz.ui.errors)."""
    errors.guarded(nav.run, f"page {nav.url_path}")


def main() -> None:
    st.set_page_config(page_title="aeviz — autoencoder lab", page_icon=":material/neurology:", layout="wide")
    if _server_full():
        st.error("This server is full: too many tabs are open. Close a tab you do not use, or try again in a minute.")
        st.stop()
    if (pages := st.session_state.get(state.NAV_PAGES)) is None:  # once per session: each resolves its file's real path
        pages = st.session_state[state.NAV_PAGES] = [
            st.Page(PAGES / file, title=title, icon=icon, url_path=url, default=i == 0)
            for i, (file, title, icon, url) in enumerate(PAGE_LIST)
        ]
    nav = st.navigation(pages, expanded=True)  # all 13 pages listed: collapsed, Streamlit hides those past the tenth
    st.session_state[state.PAGE] = nav.url_path
    links.read()  # a session's first run: what the link it was opened with says (each page reads its own part)
    classroom.read_link()  # a class's join link (its QR), or its teacher link
    if st.session_state.get(links.PRESENT):
        st.set_page_config(initial_sidebar_state="collapsed")  # the projector shows the page, not the pickers
    st.sidebar.markdown("### :material/neurology: aeviz")
    state.sync()  # a new session (a reload, another replica, a restart): this person's work comes back
    sidebar()
    share.sidebar(nav.url_path, [p.url_path for p in pages], nav.url_path == pages[0].url_path)
    if why := state.service_down():  # every page says so: training and the lessons' runs wait for it
        st.sidebar.warning(f"Training is unavailable for now: {why}. It comes back by itself; the pages work meanwhile.")
    if why := state.store_error():
        st.sidebar.warning(f"Your work is not being saved right now: {why}. It stays in this tab meanwhile.")
    if text := state.notice():
        st.toast(text, duration="long")
    _freeze_heap()
    run_page(nav)
    links.write(nav.url_path)
