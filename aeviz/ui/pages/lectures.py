"""Lecture map: every teachable item of the five lectures, and where it lives in the app."""

import streamlit as st

from aeviz import lectures
from aeviz.ui.nav import PAGE_LIST, PAGES

# one element an item (a page link, its status in its icon and words): the page was the costliest of a
# class's reruns when each item was two columns of a badge and a link
ICON = {"live": ":material/check_circle:", "partial": ":material/timelapse:"}
FILES = {url: PAGES / file for file, _, _, url in PAGE_LIST}
FILES[""] = PAGES / PAGE_LIST[0][0]

st.header("Lecture map")
c = lectures.counts()
st.caption(
    f"{c['items']} teachable items in the five lectures: {c['live']} live in the app, {c['partial']} partly, "
    f"{c['missing']} not (and why). Each link opens the page, view or lesson where the item lives; a live item "
    "shows the lecture's own numbers, a partly live one says what is missing."
)
for lecture, title in lectures.LECTURES.items():
    items = lectures.items(lecture)
    live = sum(i.status == "live" for i in items)
    with st.expander(f"**{lecture}** · {title} · {live} of {len(items)} live", expanded=lecture == "000"):
        for item in items:
            if item.status != "missing":
                label = item.title if item.status == "live" else f"{item.title} · *partly live: {item.note}*"
                st.page_link(FILES[item.page], label=label, icon=ICON[item.status], query_params=item.params or None)
        if missing := [i for i in items if i.status == "missing"]:
            st.markdown("**Not in the app:**\n" + "\n".join(f"- {i.title} — {i.note}" for i in missing))
