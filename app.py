"""aeviz: `streamlit run app.py` from a checkout. What it does is aeviz.ui.entry; `aeviz serve` runs the
package's own copy of these lines (aeviz/ui/script/aeviz_app.py), which works from any install.

`app = st.App(...)` is written out here, not imported: `streamlit run` looks for it by reading this
file's source, and only then imports it. Each session runs this file (`__file__`) as `__main__`.
"""

import streamlit as st

from aeviz.ui import entry

if __name__ == "__main__":
    entry.run()
else:
    app = st.App(__file__, **entry.app_options())
