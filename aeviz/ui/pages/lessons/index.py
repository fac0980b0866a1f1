"""Lessons: the lectures' exercises and slides, live, each on real models or real torch ops."""

import streamlit as st

from aeviz.ui import state
from aeviz.ui.pages.lessons import lessons
from aeviz.ui.widgets import view

st.header("Lessons")
LESSONS = lessons()
titles = {m.TITLE: key for key, m in LESSONS.items()}
chosen = titles[view(list(titles), key="lesson")]
LESSONS[chosen].render(state.current())
