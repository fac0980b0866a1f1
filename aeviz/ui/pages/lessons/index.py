"""Lessons: the lectures' exercises and slides, live, each on real models or real torch ops."""

import streamlit as st

from aeviz.ui import links, state
from aeviz.ui.pages.lessons import lessons
from aeviz.ui.widgets import view

LESSONS = lessons()
titles = {m.TITLE: key for key, m in LESSONS.items()}
keys = {key: m.TITLE for key, m in LESSONS.items()}
# a lesson's key in the link (or its title); `view` checks it against the lessons
links.page(links.keyed(state.LESSON, state.LESSON, "lesson", lambda v: keys.get(v, v), lambda t: titles.get(t, str(t))))
st.header("Lessons")
chosen = titles[view(list(titles), key=state.LESSON)]
LESSONS[chosen].render(state.current())
