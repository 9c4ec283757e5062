"""The script ``planner app`` hands to ``streamlit run`` (the same as the repository's app.py)."""

from planner.app.main import main

main()
