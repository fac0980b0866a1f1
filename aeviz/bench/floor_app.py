"""The smallest app the UI bench measures: one radio and a line of text. Its click-to-settled time is
what Streamlit itself costs on this machine at this moment, against which aeviz's figures are read."""

import streamlit as st

pick = st.radio("Pick", ["random", "by class"], horizontal=True)
st.caption(f"picked: {pick}")
