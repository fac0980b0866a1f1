"""aeviz: the Streamlit entry point. Page config and navigation only; pages live in aeviz/ui/pages."""

from aeviz.ui.app import main

main()
