"""Lecture map: every teachable item of the five lectures, and where it lives in the app."""

import streamlit as st

from aeviz import lectures
from aeviz.ui.app import PAGE_LIST, PAGES

BADGE = {"live": ":green-badge[live]", "partial": ":orange-badge[partial]", "missing": ":gray-badge[missing]"}
FILES = {url: PAGES / file for file, _, _, url in PAGE_LIST}
FILES[""] = PAGES / PAGE_LIST[0][0]

st.header("Lecture map")
c = lectures.counts()
st.caption(
    f"{c['items']} teachable items in the five lectures: {c['live']} live in the app, {c['partial']} partly, "
    f"{c['missing']} not (and why). Each link opens the page, view or lesson where the item lives, with the lecture's numbers."
)
for lecture, title in lectures.LECTURES.items():
    items = lectures.items(lecture)
    live = sum(i.status == "live" for i in items)
    with st.expander(f"**{lecture}** · {title} · {live} of {len(items)} live", expanded=lecture == "000"):
        for item in items:
            a, b = st.columns([1, 9])
            a.markdown(BADGE[item.status])
            if item.status == "missing":
                b.markdown(f"{item.title} — {item.note}")
            else:
                b.page_link(FILES[item.page], label=item.title, query_params=item.params or None)
