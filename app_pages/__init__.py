"""Streamlit pages: each reads state, calls the core, renders. Shared widgets in `ui`."""
