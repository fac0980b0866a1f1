"""aeviz's Streamlit script as the package ships it: `aeviz serve` runs this, from any install.
What it does is aeviz.ui.entry.

`app = st.App(...)` is written out here, not imported: `streamlit run` looks for it by reading this
file's source, and only then imports it.
"""

import streamlit as st

from aeviz.ui import entry

if __name__ == "__main__":
    entry.run()
else:
    app = st.App(__file__, **entry.app_options())
