"""The Streamlit app: pages, session state, URL state, saved scenarios."""
