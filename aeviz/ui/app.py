"""Page config and navigation."""

import streamlit as st


def main() -> None:
    st.set_page_config(page_title="aeviz", page_icon="🧠", layout="wide")
    st.title("Autoencoder lab")
    st.write("The pages arrive with the next change.")
