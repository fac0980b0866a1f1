"""Joining a class: the current view's link as a large QR code, and presenter mode for the projector."""

from __future__ import annotations

import functools
import io

import streamlit as st

from aeviz.ui import links, state

# Presenter mode: larger type and controls, black-on-white text, the sidebar out of the way.
# Streamlit sizes its type in rem, so the root size scales the whole page.
PRESENTER_CSS = """<style>
html { font-size: 22px; }
[data-testid="stMain"], [data-testid="stSidebar"] { color: #000; }
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p,
[data-testid="stWidgetLabel"] p { color: #111 !important; }
[data-testid="stMainBlockContainer"] { max-width: 100%; padding-left: 2rem; padding-right: 2rem; }
button, [role="radio"], [role="slider"] { min-height: 2.4rem; }
</style>"""


@functools.lru_cache(maxsize=128)
def qr_codes(url: str, scale: int = 12) -> tuple[bytes, bytes]:
    """(PNG, SVG) of a QR code for `url`: error correction M, so a phone reads it off a projector.
    Once per link and server: a class opens the dialog on the same few links, and segno's PNG
    writer took tens of milliseconds of every opening."""
    import segno

    qr = segno.make(url, error="m", micro=False)
    png, svg = io.BytesIO(), io.BytesIO()
    qr.save(png, kind="png", scale=scale, border=3)
    qr.save(svg, kind="svg", scale=scale, border=3, title="aeviz link", svgclass="aeviz-qr")
    return png.getvalue(), svg.getvalue()


@st.dialog("Share with the class", width="large")
def share_dialog(page: str, pages: list[str], default: bool) -> None:
    st.text_input(
        "Address students use", key=state.SHARE_BASE, placeholder=links.public_base(pages),
        help="Behind a proxy or on the room's network, the address the students' laptops reach (or set AEVIZ_PUBLIC_URL).",
    )  # fmt: skip
    from aeviz.ui import classroom

    if (c := classroom.teaching()) is not None and c.code and not c.locked:  # the class first: what students need
        join = classroom.join_url(c)
        st.markdown(f"**Class {c.code}**: students join at `{join}`, or with the code on the Class page.")
        st.image(qr_codes(join)[0], caption=f"Scan to join class {c.code}", width=300)
        st.divider()
    url = links.share_url(page, pages, default)
    png, svg = qr_codes(url)
    left, right = st.columns([3, 2])
    with left:
        st.image(png, caption="Scan to open this view", width=440)
    with right:
        st.markdown("**The link, spelled out**")
        st.code(url, language=None, wrap_lines=True)
        if note := links.own_model_note():
            st.info(note)
        st.download_button("QR code as PNG", png, file_name="aeviz-link.png", mime="image/png", icon=":material/download:")
        st.download_button("QR code as SVG", svg, file_name="aeviz-link.svg", mime="image/svg+xml", icon=":material/download:")


def sidebar(page: str, pages: list[str], default: bool) -> bool:
    """The sidebar's share button and presenter toggle; True in presenter mode."""
    if st.sidebar.button("Share with the class", icon=":material/qr_code_2:", key="share", width="stretch"):
        share_dialog(page, pages, default)
    presenter = st.sidebar.toggle(
        "Presenter mode", key=links.PRESENT, help="Larger type and figures for the projector; in the link too"
    )
    if presenter:
        st.html(PRESENTER_CSS)
    return presenter
