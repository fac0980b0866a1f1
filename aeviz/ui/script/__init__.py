"""The packaged Streamlit script, alone in its folder: `streamlit run` puts a script's folder first on
sys.path, and next to aeviz/ui's modules that would have made `app`, `state` or `pages` importable as
top-level names."""

from pathlib import Path

APP = Path(__file__).with_name("aeviz_app.py")
