"""Every session key, and the small things the rest of the state is made of: what a session keeps of
its own models and image sets, whose session this is, and the Markdown escape for what students type."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field

import streamlit as st

from aeviz.config import ModelConfig
from aeviz.data import TITLES
from aeviz.models.base import Autoencoder

# --- session keys --------------------------------------------------------------------------------
DATASET = "dataset"  # the sidebar's dataset
MODEL = "model"  # the sidebar's model (a pretrained name, or one of the session's own)
UPLOAD = "upload_x"  # the last uploaded or drawn image, as the model sees it (28x28 floats)
UPLOAD_STEPS = "upload_steps"  # (file hash, blur, recipe) -> the decoded steps, or why the file was refused
OWN = "own_models"  # {name: OwnModel}: trained or uploaded in this session
OWN_DATA = "own_datasets"  # {name: aeviz.userdata.UserData}: a class's own images, in this session's memory only
JOB = "job"  # the id of this session's training job
NOTICE = "notice"  # a message for the next run of any page
PICK = "pick"  # (dataset, model) for the sidebar to select on the next run (its widgets exist in this one)
SYNCED = "synced_at"  # when this session last read its person's work from the store
SESSION_CACHE = "session_cache"  # {(function, arguments): value} for a session's own images
SHARED_FLAGS = "shared_flags"  # (when read, {model: shared on the class board}) of this person
RECENT_JOBS = "recent_jobs"  # (when read, this person's last jobs as the store has them)
NAV_PAGES = "nav_pages"  # the navigation's st.Page objects, made once per session
NOISE_LEVEL = "dn_level_{}"  # Denoise's level, one per kind of noise
DROPPED = "dropped"  # names this session deleted: not brought back while the store catches up
PRESENT = "present"  # presenter mode: larger type and figures (a URL parameter too)
LINKS_WRITTEN = "links_written"  # the query parameters this session last wrote: others come from a link
LINK_PARAMS = "link_params"  # {page: its link parameters, as it declared them this session}
PAGE = "page_path"  # the URL path of the page this run shows (set before it runs)
SHARE_BASE = "share_base"  # the address students use, as the teacher typed it (Share)
OWNER_TAG = "owner_tag"  # a random tag that tells this session's jobs from another's with the same id (AppTest)
RUNS = "runs"  # {spec: job id}: this session's lesson runs
REC_VIEW = "rec_view"  # Reconstructions' view
REC_SEED = "rec_seed"  # Reconstructions' random sample of test images
FILTERS_VIEW = "filt_view"  # Learned filters' view
LATENT_VIEW = "lat_view"  # Latent space's view
LATENT_IMAGE = "lat_img"  # Latent space's selected test image
LESSON = "lesson"  # the Lessons page's picker: a lesson's title (its key in a link)
VAE_MODEL = "vae_model"  # the VAE explorer's VAE, when not the sidebar's model
VAE_START = "vae_start"  # the VAE explorer's starting point: zero, a test image, or an upload
VAE_IMAGE = "vae_image"  # the VAE explorer's test image
VAE_NONCE = "vae_nonce"  # counts the explorer's Reset and Sample clicks (a new seed each)
VAE_SAMPLES = "vae_samples"  # {model name: z}: a sampled or linked z per VAE (a 10-D z is no 2-D VAE's)
VAE_Z = "vae_z"  # the explorer's z as this run shows it: what a shared link carries
VAE_LINK_Z = "vae_link_z"  # a shared link's z, until the explorer takes it
VAE_MATH_SEED = "vm_seed"  # the VAE-step lesson's draw of epsilon
NOISE = "dn_noise"  # Denoise's kind of noise
PAD_NONCE = "pad_nonce"  # counts Clear clicks on the drawing pad (a fresh pad each)
DATA_JOB = "ud_job"  # the id of Your images' ingest job
DATA_PREVIEW = "ud_preview"  # an ingested image set waiting for the student to keep it
DATA_COLOR = "ud_color"  # Your images: keep colour
DATA_SIZE = "ud_size"  # Your images: the side images are scaled to
TRAIN_PRESET = "tr_preset"  # the Train page's preset (its form's fields are keyed tr_*)
TRAIN_DATASET = "tr_dataset"  # the Train page's dataset
TRAIN_UPLOADED = "tr_uploaded"  # the last checkpoint file adopted from an upload (not adopted again on a rerun)
PROJECT_FILE = "pj_file"  # the project file being built for download
PROJECT_UPLOADED = "pj_uploaded"  # the last project file imported (not imported again on a rerun)
RESUME_SEEN = "pj_seen"  # the resume link has shown by itself once in this session
SHOW_RESUME = "pj_resume"  # the resume link is shown
TEACHER_LINK = "cl_token"  # a class's teacher link, shown once after opening the class
ENDING = "bd_ending"  # the class id whose teacher asked to end it: the board asks again before it does

BUILTIN = ("mnist", "fashion")
TOY = {"patterns": "Tutorial 10's five 3×3 patterns", "random": "100 random 10×10 images"}
DATASET_TITLES = {**TITLES, **TOY}


@dataclass(frozen=True)
class ModelInfo:
    name: str
    title: str
    dataset: str
    config: ModelConfig
    metrics: dict[str, float] = field(default_factory=dict)
    own: bool = False


@dataclass
class OwnModel:
    model: Autoencoder
    info: ModelInfo
    checkpoint: bytes  # float16, what the Download button gives
    history: list = field(default_factory=list)  # the training loss, for a project file
    title: str = ""  # as the student named it (the info's title adds its number and tag)


def own_models() -> dict[str, OwnModel]:
    return st.session_state.setdefault(OWN, {})


def own_datasets() -> dict:
    return st.session_state.setdefault(OWN_DATA, {})


MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md(text: str) -> str:
    """`text` shown as it is in Streamlit's Markdown: a link, emphasis, an emoji or colour directive
    (":red[...]") or HTML written by a student (a file, folder or label name, a link's value) stays text."""
    return MARKDOWN_SPECIALS.sub(r"\\\1", str(text))


def notice(text: str | None = None) -> str | None:
    """Leave a message for the next run (`text`), or take the waiting one."""
    if text is not None:
        st.session_state[NOTICE] = text
        return None
    return st.session_state.pop(NOTICE, None)


def owner() -> str:
    """Whose job is whose on the training service: this browser session's id, and a random tag kept
    in its state (AppTest gives every session the same id)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return f"{ctx.session_id if ctx else 'none'}:{st.session_state.setdefault(OWNER_TAG, uuid.uuid4().hex[:8])}"


def person() -> str:
    """Who this is across their tabs (the signed id cookie, aeviz.ui.identity), else this session: the
    training service's caps are a person's."""
    from aeviz.ui import identity

    try:
        token = identity.verify(st.context.cookies.get(identity.COOKIE))
    except Exception:  # no request behind this run (AppTest), or cookies unavailable: the session it is
        token = None
    return f"person:{token}" if token else owner()
