"""The floor for bench.bench_load: the least a Streamlit page can do, served like Proxi.

A learner taps « Suivant » (a callback, as Proxi's buttons); with ?telephone=1 the page is a
phone's ballot (a fragment rerun every 2 s with one vote button: the plainest way Streamlit
polls, what app_pages/join.py did until its watcher asked the server instead); with
?projection=1, a projector polling every 1.5 s (as app_pages/projector.py).
"""

import streamlit as st


def _noop() -> None:
    pass


@st.fragment(run_every=2)
def ballot() -> None:
    st.button("A. Voter", key="vote-a", on_click=_noop)


@st.fragment(run_every=1.5)
def screen() -> None:
    st.markdown("Projection")


if st.query_params.get("telephone"):
    ballot()
elif st.query_params.get("projection"):
    screen()
else:
    st.button("Suivant", on_click=_noop)
