"""Proxi: training and role-play for the frontline staff of French social housing.

The core package. It never imports streamlit (a test enforces it), so everything here
runs and is tested without a browser or a Streamlit runtime.
"""

__version__ = "0.1.0"
