"""The Streamlit UI: the only part of aeviz that imports streamlit."""
