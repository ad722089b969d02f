"""Projection: the running session on the big screen, readable at five metres.

No Streamlit chrome, large type, high contrast. The body is one fragment that polls
`live.snapshot` every 1.5 seconds (a primary-key read and a few dozen votes), so phones'
votes show up within 2 s without rerunning the page.
"""

from __future__ import annotations

import io

import segno
import streamlit as st

from app_pages import ui
from app_pages.connection import db
from app_pages.identity import require
from proxi.content import engine
from proxi.live import sessions as live

# Constant CSS only: nothing user-written is ever put into HTML.
PROJECTOR_CSS = """<style>
header, [data-testid="stHeader"], [data-testid="stSidebar"], [data-testid="stToolbar"],
[data-testid="stExpandSidebarButton"], [data-testid="stMainMenu"], [data-testid="stStatusWidget"],
[data-testid="stSidebarNav"], [data-testid="stHeaderActionElements"], footer { display: none !important; }
.stApp { background: #000 !important; color: #fff !important; }
[data-testid="stMainBlockContainer"] { max-width: 100% !important; padding: 1.5rem 3rem !important; }
.stApp p, .stApp li { font-size: 2.2rem !important; line-height: 1.35 !important; color: #fff !important; }
.stApp h1, .stApp h1 span { font-size: 3.6rem !important; color: #ffd84d !important; }
.stApp h2, .stApp h2 span { font-size: 2.8rem !important; color: #ffd84d !important; }
.stApp strong { color: #ffd84d !important; }
.stApp a { color: #9cd8ff !important; }
[data-testid="stProgress"] > div:first-child { height: auto !important; }
[data-testid="stProgress"] p { font-size: 2rem !important; margin: 0 0 .4rem 0 !important; }
[data-testid="stProgressBarTrack"] { height: 1.8rem !important; background: #333 !important; }
[data-testid="stProgressBarTrack"] > div { background: #ffd84d !important; }
[data-testid="stCaptionContainer"] p { font-size: 1.5rem !important; color: #ddd !important; }
</style>"""

person = require("trainer", "coordinator")
st.set_page_config(
    page_title="Proxi — projection", layout="wide", initial_sidebar_state="collapsed"
)
st.html(PROJECTOR_CSS)

sessions = {s.id: s for s in live.sessions_for(db(), person) if s.status == "open"}
if not sessions:
    st.markdown("# Aucune séance ouverte")
    st.markdown("Ouvrez une séance dans « Séances de groupe », puis revenez ici.")
    st.stop()
wanted = st.query_params.get("seance", "")
session_id = int(wanted) if wanted.isdigit() and int(wanted) in sessions else next(iter(sessions))
session = sessions[session_id]


@st.cache_data(max_entries=16)
def qr_png(url: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=10, border=2)
    return buffer.getvalue()


def join_url(code: str) -> str:
    here = st.context.url or ""  # .../projection; the join page sits beside it
    return f"{here.rsplit('/', 1)[0]}/rejoindre?code={code}"


def join_box(big: bool) -> None:
    url = join_url(session.join_code)
    label = "QR code pour rejoindre la séance"
    st.image(qr_png(url), width=420 if big else 260, caption=label, alt=label)
    st.markdown(f"Code : **{live.display_code(session.join_code)}**")
    st.caption(url)


def scene(scenario, snap: live.Snapshot) -> None:
    node = scenario.nodes[snap.state["node"]]
    st.markdown(f"# {scenario.title}")
    if node.narration:
        ui.markdown(node.narration)
    for line in node.lines:
        st.markdown(f"**{scenario.speaker_name(line.speaker)}** : « {line.text} »")
    if node.ending:
        st.markdown(f"## {node.ending.title}")
        ui.outcome_badge(node.ending.outcome)
        st.markdown(node.ending.debrief)
        return
    decision = snap.decision
    if decision and decision.status == "frozen":
        st.markdown(f"## Arrêt sur image\n\n{node.prompt}")
    offered = engine.available_choices(scenario, snap.state)
    indexes = decision.choices if decision else [choice.index for choice in offered]
    for option in live.options(scenario, node.id, indexes):
        st.markdown(f"**{option.letter}.** {option.text}")
        if decision:
            count = snap.counts.get(option.index, 0)
            st.progress(count / max(1, snap.total), text=f"{option.letter} — {count} vote(s)")
        if decision and decision.status == "revealed":
            mark = "**Majorité.** " if option.index == snap.majority else ""
            st.markdown(f"{mark}*{option.feedback}*")


# 1.5 s, not 2: a vote then shows within 2 s even with the fragment's own run time.
@st.fragment(run_every=1.5)
def screen() -> None:
    snap = live.snapshot(db(), session_id)
    scenario = ui.catalogue().scenarios.get(snap.scenario_id or "")
    if snap.status != "open":
        st.markdown("# Séance terminée. Merci à toutes et à tous !")
    elif scenario is None or snap.state is None:
        st.markdown(f"# {session.title}")
        st.markdown("Rejoignez la séance avec votre téléphone :")
        join_box(big=True)
    else:
        main, side = st.columns([4, 1])
        with main:
            scene(scenario, snap)
        with side:
            join_box(big=False)
            st.markdown(f"**{snap.participants}** participant(s)")
            if snap.decision:
                st.markdown(f"**{snap.total}** vote(s)")


screen()
