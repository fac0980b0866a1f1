"""The class board, for the projector: every model the class shared for the assignment, live, as one
experiment (the swept value against the error), a table, loss curves, and two models side by side."""

import numpy as np
import streamlit as st

from aeviz import plots, presets
from aeviz.limits import LIMITS
from aeviz.store import StoreUnavailable
from aeviz.store import classes as book
from aeviz.ui import classroom, errors, share, state
from aeviz.ui.widgets import show, view

c = classroom.teaching()
if c is None:
    st.header("Class board")
    st.warning("The class board is the teacher's: open it with the teacher link you got when you opened the class "
               "(or from the browser that opened it). Students: your class is on the Class page.")  # fmt: skip
    st.stop()

name, _, log_x, _, _ = book.PARAMS[c.param]
preset = presets.PRESETS[c.preset]
st.header(f"Class {c.code or '(no code)'} · {preset.title}, sweeping {name}")
present = bool(st.session_state.get(state.PRESENT))


def controls() -> None:
    with st.expander("Teacher controls", icon=":material/settings:", expanded=False):
        a, b, c2 = st.columns(3)
        if a.button("New join code", key="bd_rotate", icon=":material/refresh:", help="the old code stops working"):
            book.rotate_code(classroom.store(), c.id)
            st.rerun()
        locked = b.toggle("Lock joining", value=c.locked, key=f"bd_lock_{c.locked}")
        paused = c2.toggle("Pause training", value=c.paused, key=f"bd_pause_{c.paused}")
        if locked != c.locked or paused != c.paused:
            book.set_flags(classroom.store(), c.id, locked=locked, paused=paused)
            st.rerun()
        people = [m for m in book.members(classroom.store(), c.id) if not m.removed]
        if people:
            who = st.selectbox("Student", [m.person for m in people], key="bd_who",
                               format_func={m.person: m.nickname for m in people}.get)  # fmt: skip
            if st.button("Remove this student", key="bd_remove", icon=":material/person_remove:"):
                book.remove(classroom.store(), c.id, who)
                st.rerun()
        st.markdown("**Assignment**")
        options = [k for k, p in presets.PRESETS.items() if p.dataset == c.dataset]
        p1, p2, p3, p4 = st.columns([3, 2, 1, 1])
        new_preset = p1.selectbox("Preset", options, index=options.index(c.preset) if c.preset in options else 0,
                                  format_func=lambda k: presets.PRESETS[k].title, key="bd_preset")  # fmt: skip
        new_param = p2.selectbox("Varies", list(book.PARAMS), index=list(book.PARAMS).index(c.param),
                                 format_func=lambda k: book.PARAMS[k][0], key="bd_param")  # fmt: skip
        lo = p3.number_input("From", value=float(c.lo), key=f"bd_lo_{c.lo}", format="%g")
        hi = p4.number_input("To", value=float(c.hi), key=f"bd_hi_{c.hi}", format="%g")
        if st.button("Set the assignment", key="bd_assign"):
            try:
                classroom.set_assignment(c, new_preset, new_param, lo, hi)
                st.rerun()
            except book.ClassError as e:
                st.error(f"Can't set it: {e}.")
        # two buttons, not a checkbox and a button: a button's click survives when Streamlit merges it with
        # the live fragment's rerun, a checkbox's new value did not always (the browser test lost it about 1 run in 5)
        st.markdown("**End the class**: the code and the teacher link stop working, then the class's models are deleted.")
        if st.session_state.get(state.ENDING) != c.id:
            if st.button("End class…", key="bd_end_ask", icon=":material/stop_circle:"):
                st.session_state[state.ENDING] = c.id
                st.rerun()
            return
        st.warning(f"End class {c.code} now? This cannot be undone.", icon=":material/warning:")
        yes, no = st.columns(2)
        if no.button("Keep it", key="bd_end_keep"):
            st.session_state.pop(state.ENDING, None)
            st.rerun()
        if yes.button("Yes, end it", key="bd_end", type="primary", icon=":material/stop_circle:"):
            shas = book.end(classroom.store(), c.id)
            state.keeper().submit(None, lambda s: s.drop_unused(shas))  # the blobs, in the background
            st.session_state.pop(classroom.TEACH, None)
            st.session_state.pop(state.ENDING, None)
            state.notice(f"Class {c.code} has ended: its code no longer works, and its models are deleted.")
            st.rerun()


if not present:
    try:
        controls()
    except (StoreUnavailable, book.ClassError) as e:
        st.error(f"The class's controls are unavailable: {e}.")

a, b, c3 = st.columns([2, 1, 1])
a.markdown(f"Join at **{state.md(classroom.join_url(c))}** or with the code **{c.code}** on the Class page."
           if c.code and not c.locked else "Joining is closed.")  # fmt: skip
anonymous = b.toggle("Anonymise", value=present, key=f"bd_anon_{present}", help="hide nicknames (on by default while projecting)")
leaders = c3.toggle("Leaderboard", value=False, key="bd_leaders", help="the top 3 by test MSE, by nickname")
if c.code and not c.locked:
    png, _ = share.qr_codes(classroom.join_url(c))
    with st.popover("Join QR code", icon=":material/qr_code_2:"):
        st.image(png, width=360)


def label(card: book.Card, order: dict[str, int]) -> str:
    return f"Student {order[card.nickname] + 1}" if anonymous else card.nickname


@errors.fragment(run_every=1.0)  # a finished job is on the board within a second or two
def live() -> None:
    try:
        cards = classroom.cards(c.id)
    except (StoreUnavailable, book.ClassError) as e:
        st.warning(f"The board can't read the class now: {e}. It tries again by itself.")
        return
    order = {n: i for i, n in enumerate(sorted({k.nickname for k in cards}))}
    people = len({k.nickname for k in cards})
    m1, m2, m3 = st.columns(3)
    m1.metric("Models shared", f"{len(cards)}" + (f" (the newest {LIMITS.max_cards})" if len(cards) >= LIMITS.max_cards else ""))
    m2.metric("Students who shared", people)
    mse = [k.metrics.get("mse") for k in cards if k.metrics.get("mse") is not None]
    # a class average only from 5 students on: with fewer, it says too much about each
    m3.metric("Class average test MSE", f"{np.mean(mse):.4f}" if people >= 5 and mse else "from 5 students")
    which = view(["Sweep", "Table", "Loss curves", "Side by side", "Cards"], key="bd_view")
    if not cards:
        st.info("No model shared yet: students train the assignment on the Train page, and each one appears here.")
        return
    if leaders and not anonymous:
        top = sorted((k for k in cards if "mse" in k.metrics), key=lambda k: k.metrics["mse"])[:3]
        ranks = [f"{i + 1}. {state.md(k.nickname)} ({k.metrics['mse']:.4f})" for i, k in enumerate(top)]
        st.markdown("**Top 3:** " + " · ".join(ranks))
    if which == "Sweep":
        sweep(cards, order)
    elif which == "Table":
        table(cards, order)
    elif which == "Loss curves":
        picked = st.multiselect("Models", [k.name for k in cards], default=[k.name for k in cards[:5]], key="bd_curves",
                                format_func={k.name: f"{label(k, order)} ({k.value:g})" for k in cards}.get)  # fmt: skip
        series = {f"{label(k, order)} ({name} {k.value:g})": k.history for k in cards if k.name in picked and k.history}
        show(plots.curves(series, x="point", y="training loss", log=True), key="bd_curves_fig")
    elif which == "Side by side":
        side_by_side(cards, order)
    else:
        grid(cards, order)


def sweep(cards: list[book.Card], order: dict[str, int]) -> None:
    rows = [k for k in cards if "mse" in k.metrics]
    reference = None
    if c.dataset in state.BUILTIN and rows:  # PCA's error at the same code size: the linear baseline
        if c.param == "latent":
            ks = sorted({int(k.value) for k in rows})
            reference = (ks, [state.pca_mse(c.dataset, min(k, 784)) for k in ks], "PCA, same code size")
        elif (code := rows[0].config.get("latent")) and rows[0].config.get("family") not in ("conv", "denoising"):
            xs = [min(k.value for k in rows), max(k.value for k in rows)]  # one code size for the class: a level line
            reference = (xs, [state.pca_mse(c.dataset, min(int(code), 784))] * 2, f"PCA, code size {code}")
    fig = plots.sweep([k.value for k in rows], [k.metrics["mse"] for k in rows], [k.config.get("family", "?") for k in rows],
                      names=[label(k, order) for k in rows], log_x=log_x, reference=reference, x_label=name,
                      title=f"Test MSE against {name}: one point per model")  # fmt: skip
    show(fig, key="bd_sweep")
    if any("elbo" in k.metrics for k in rows):
        vaes = [k for k in rows if "elbo" in k.metrics]
        fig = plots.sweep([k.value for k in vaes], [k.metrics["elbo"] for k in vaes], ["vae"] * len(vaes), log_x=log_x,
                          x_label=name, y_label="ELBO (nats)", title=f"ELBO against {name}")  # fmt: skip
        show(fig, key="bd_elbo")


def table(cards: list[book.Card], order: dict[str, int]) -> None:
    import pandas as pd

    rows = []
    for k in cards:
        v = classroom.probe_view(k.blob, k.dataset)
        rows.append({"student": label(k, order), "family": k.config.get("family"), "code": k.config.get("latent"),
                     name: k.value, "epochs": k.metrics.get("epochs"), "parameters": v["params"],
                     "test MSE": k.metrics.get("mse"), "ELBO": k.metrics.get("elbo")})  # fmt: skip
    df = pd.DataFrame(rows)
    if st.toggle("Show differences only", key="bd_diff"):
        df = df[[col for col in df.columns if col == "student" or df[col].astype(str).nunique() > 1]]
    st.dataframe(df, hide_index=True, width="stretch")


def side_by_side(cards: list[book.Card], order: dict[str, int]) -> None:
    labels = {k.name: f"{label(k, order)} ({name} {k.value:g})" for k in cards}
    a, b = st.columns(2)
    left = a.selectbox("Left", list(labels), format_func=labels.get, key="bd_left")
    right = b.selectbox("Right", list(labels), index=min(1, len(labels) - 1), format_func=labels.get, key="bd_right")
    picks = [left, right]
    x = state.test_floats(c.dataset)[:8].numpy()
    y = state.test_set(c.dataset).y
    for col, model in zip((a, b), picks, strict=True):
        card = next(k for k in cards if k.name == model)
        v = classroom.probe_view(card.blob, card.dataset)
        with col:
            show(plots.reconstruction_rows([x, v["x_hat"]], ["input", "output"], tile_px=40), key=f"bd_pair_{model}")
            z = v["z"]
            if z.shape[1] >= 2 and y is not None:
                names = state.labels(c.dataset) or [str(i) for i in range(int(y.max()) + 1)]
                show(plots.latent_scatter(z[:, :2], y[: len(z)].numpy(), names, title="codes (first two)"), key=f"bd_z_{model}")


def grid(cards: list[book.Card], order: dict[str, int]) -> None:
    from aeviz import plots

    st.image(plots.row_png(state.test_floats(c.dataset)[:8].numpy()), caption="the class's 8 probe images")
    cols = st.columns(3)
    for i, k in enumerate(cards[:12]):  # the newest 12 as cards (pictures, not figures); every one is in the table
        v = classroom.probe_view(k.blob, k.dataset)
        with cols[i % 3].container(border=True):
            elbo = f" · ELBO {k.metrics['elbo']:.1f}" if "elbo" in k.metrics else ""
            mse = k.metrics.get("mse", float("nan"))
            swept = "" if c.param == "latent" else f" · {name} {k.value:g}"  # the code size is said once
            facts = [k.config.get("family"), f"code {k.config.get('latent')}{swept}", f"{k.metrics.get('epochs', '?')} epochs",
                     f"{v['params']:,} parameters", f"test MSE {mse:.4f}{elbo}"]  # fmt: skip
            st.markdown(f"**{state.md(label(k, order))}** · " + " · ".join(map(str, facts)))
            if k.history:
                st.image(classroom.sparkline(k.name, tuple(k.history)), caption="training loss")
            st.image(v["png"], caption="its reconstructions of the probe images")
            if not present and st.button("Open in the app", key=f"bd_open_{k.name}", icon=":material/open_in_new:"):
                open_model(k, label(k, order))


def open_model(card: book.Card, who: str) -> None:
    """A shared model in this (the projector's) session, picked in the sidebar, for every page."""
    from aeviz import checkpoint

    blob = classroom.store().blob(card.blob)
    model, _ = checkpoint.from_bytes(blob, max_params=LIMITS.max_params)
    try:
        state.add_own(model, title=f"class: {who}, {name} {card.value:g}", dataset=card.dataset, blob=blob,
                      metrics=card.metrics, history=card.history, save=False)  # fmt: skip
    except ValueError as e:
        st.error(f"Can't open it: {e}.")
        return
    state.notice(f"{who}'s model is picked in the sidebar: every page shows it now.")
    st.rerun()


live()
