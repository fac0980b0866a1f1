"""Class: join one with its code (or its QR), or open one as a teacher, with no account."""

import streamlit as st

from aeviz import presets
from aeviz.store import StoreUnavailable
from aeviz.store import classes as book
from aeviz.ui import classroom, state
from aeviz.ui.nav import PAGES

st.header("Class")
if state.lasting_person() is None:
    if state.store() is None:
        why = state.store_error() or "AEVIZ_DB_URL=off"
        st.info(f"Classes need what this server keeps for each student, and it keeps nothing now: {why}.")
    else:
        st.info("Classes need this browser to keep the app's cookie (it holds nothing but a random token): allow cookies.")
    st.stop()

teaching = classroom.teaching()
if teaching is not None:
    st.success(f"You teach class **{teaching.code or '(no code: rotate one on the board)'}**.", icon=":material/school:")
    st.page_link(PAGES / "board.py", label="Open the class board", icon=":material/dashboard:")

mine = classroom.mine()
if mine is not None:
    c, me = mine
    name, *_ = book.PARAMS[c.param]
    preset = presets.PRESETS[c.preset]
    st.subheader(f"Class {c.code or ''}")
    a, b = st.columns([3, 1])
    a.markdown(f"You are **{state.md(me.nickname)}**: the board shows this name, never yours.")
    if b.button("Another nickname", key="cl_respin", disabled=me.respins >= book.MAX_RESPINS,
                help=f"up to {book.MAX_RESPINS} times"):  # fmt: skip
        try:
            book.respin(classroom.store(), c.id, state.lasting_person())
            classroom.mine(force=True)
            st.rerun()
        except (book.ClassError, StoreUnavailable) as e:
            st.error(f"Can't: {e}.")
    st.markdown(f"**The assignment:** {state.md(preset.title)}, with your own **{name}**.")
    st.caption(f"The class sweeps {name} over {c.lo:g} … {c.hi:g}: each student trains one point, and the board shows the curve.")
    value = st.number_input(f"Your {name}", value=float(me.value), min_value=float(c.lo), max_value=float(c.hi),
                            key=f"cl_value_{c.id}_{me.value}", format="%g")  # fmt: skip
    if value != me.value and st.button("Use this value", key="cl_use"):
        try:
            book.set_value(classroom.store(), c, state.lasting_person(), value)
            classroom.mine(force=True)
            st.rerun()
        except (book.ClassError, StoreUnavailable) as e:
            st.error(f"Can't use it: {e}.")
    if c.paused:
        st.warning("Your teacher has paused training for the class.")
    st.page_link(PAGES / "train.py", label="Train it on the Train page (one click)", icon=":material/model_training:")
else:
    st.subheader("Join a class")
    with st.form("cl_join", border=False):
        code = st.text_input("Class code", max_chars=12, placeholder="e.g. K7QX2M", key="cl_code")
        if st.form_submit_button("Join", type="primary", icon=":material/login:"):
            try:
                state.notice(classroom.join(code))
                st.rerun()
            except (book.ClassError, StoreUnavailable) as e:
                st.error(f"Can't join: {e}.")

if teaching is None:
    with st.expander("Open a class (teachers)", icon=":material/school:"):
        st.caption(
            "No account: you get a join code for the students and a teacher link that opens the class board. "
            "The class trains one lecture preset, each student with their own value of one setting."
        )
        options = [k for k, p in presets.PRESETS.items() if p.dataset]
        preset = st.selectbox("Preset", options, format_func=lambda k: presets.PRESETS[k].title, key="cl_preset",
                              index=options.index("one-layer-2") if "one-layer-2" in options else 0)  # fmt: skip
        param = st.selectbox("The setting the class varies", list(book.PARAMS), key="cl_param",
                             format_func=lambda k: book.PARAMS[k][0])  # fmt: skip
        lo_default, hi_default = {"latent": (2, 64), "beta": (0.1, 10.0), "rho": (0.01, 0.2), "noise_level": (0.1, 0.9),
                                  "epochs": (1, 10), "lr": (1e-4, 1e-1)}[param]  # fmt: skip
        a, b = st.columns(2)
        lo = a.number_input("From", value=float(lo_default), key=f"cl_lo_{param}", format="%g")
        hi = b.number_input("To", value=float(hi_default), key=f"cl_hi_{param}", format="%g")
        if st.button("Open the class", key="cl_open", type="primary", icon=":material/add:"):
            try:
                st.session_state[state.TEACHER_LINK] = classroom.open_class(preset, param, lo, hi)
                st.rerun()
            except (book.ClassError, StoreUnavailable) as e:
                st.error(f"Can't open it: {e}.")

if token := st.session_state.pop(state.TEACHER_LINK, None):
    url = f"{classroom.base_url()}/board?teach={token}"
    st.success("Your class is open. This is your teacher link, shown once: keep it to open the board from another "
               "device (only its fingerprint is kept on the server).")  # fmt: skip
    st.code(url, language=None, wrap_lines=True)
