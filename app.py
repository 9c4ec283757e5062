"""Streamlit entry of the Uusimaa service-network planner: ``streamlit run app.py``.

The app itself lives in the package (:mod:`planner.app.main`); ``planner app`` runs the same.
"""

from planner.app.main import main

main()
