"""Page config, the sidebar and navigation. Every page reads the sidebar's choice from session state."""

from __future__ import annotations

import gc
from pathlib import Path

import streamlit as st
import torch

# The app's forward passes are small (tens of images): one thread does them in a millisecond or two,
# while a second OpenMP thread only spins against the browser and the other sessions for the cores.
torch.set_num_threads(1)

PAGES = Path(__file__).parent / "pages"


@st.cache_resource(show_spinner=False)
def _freeze_heap() -> bool:
    """Streamlit runs gc.collect(2) after every rerun (~115 ms once torch is loaded); freezing the
    heap that exists after start-up (torch, models) leaves the collector only the rerun's garbage."""
    gc.collect()
    gc.freeze()
    return True


def main() -> None:
    st.set_page_config(page_title="aeviz — autoencoder lab", page_icon=":material/neurology:", layout="wide")
    from aeviz.ui import common

    pages = [
        st.Page(PAGES / "overview.py", title="Overview", icon=":material/home:", url_path="overview", default=True),
        st.Page(PAGES / "reconstructions.py", title="Reconstructions", icon=":material/compare:", url_path="reconstructions"),
        st.Page(PAGES / "filters.py", title="Learned filters", icon=":material/grid_view:", url_path="filters"),
        st.Page(PAGES / "latent.py", title="Latent space", icon=":material/scatter_plot:", url_path="latent"),
        st.Page(PAGES / "vae.py", title="VAE explorer", icon=":material/tune:", url_path="vae"),
        st.Page(PAGES / "upload.py", title="Upload & draw", icon=":material/draw:", url_path="upload"),
        st.Page(PAGES / "denoise.py", title="Denoise", icon=":material/blur_off:", url_path="denoise"),
        st.Page(PAGES / "train.py", title="Train your own", icon=":material/model_training:", url_path="train"),
        st.Page(PAGES / "lessons.py", title="Lessons", icon=":material/school:", url_path="lessons"),
    ]
    nav = st.navigation(pages)
    st.sidebar.markdown("### :material/neurology: aeviz")
    common.sidebar()
    _freeze_heap()
    nav.run()
