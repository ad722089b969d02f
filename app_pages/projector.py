"""Projection: the running session on the big screen, readable at five metres.

No Streamlit chrome, large type, high contrast, and every state on ONE screen: sizes are
in screen units and shrink by `proxi.live.screen.type_scale` when a scene is long (see
that module). The body is one fragment that polls `live.snapshot` every 1.5 seconds (a
primary-key read and a few dozen votes), so phones' votes show up within 2 s without
rerunning the page. `?seance=ID` picks the session; with several open and none picked,
the screen asks which one to show.
"""

from __future__ import annotations

import io
from functools import partial

import segno
import streamlit as st

from app_pages import ui
from app_pages.connection import db
from app_pages.identity import require
from proxi.content import engine
from proxi.content.markdown import plain
from proxi.labels import quoted
from proxi.live import report as live_report
from proxi.live import room as live_room
from proxi.live import screen
from proxi.live import sessions as live

# Constant CSS only: nothing user-written is ever put into HTML. --u is 1 % of the height
# of a 16:9 screen (less on a narrower one); --k is the page's type scale (see scale_css).
PROJECTOR_CSS = """<style>
header, [data-testid="stHeader"], [data-testid="stSidebar"], [data-testid="stToolbar"],
[data-testid="stExpandSidebarButton"], [data-testid="stMainMenu"], [data-testid="stStatusWidget"],
[data-testid="stSidebarNav"], [data-testid="stHeaderActionElements"], footer,
[data-testid="stElementToolbar"] { display: none !important; }
:root { --u: min(1vh, 0.5625vw); --k: 1; }
html, body, .stApp { overflow: hidden !important; }
.stApp { background: #000 !important; color: #fff !important; }
[data-testid="stMain"] { padding: 0 !important; }
[data-testid="stMainBlockContainer"] { max-width: 100% !important;
  padding: calc(4 * var(--u)) calc(5 * var(--u)) 0 calc(5 * var(--u)) !important; }
.stApp [data-testid="stVerticalBlock"] { gap: calc(1 * var(--u) * var(--k)) !important; }
/* Streamlit pulls a text up by 1rem to undo its paragraphs' margin, which is 0 here: left
   alone, each text drew its last line over the next element. */
.stApp [data-testid="stMarkdownContainer"], .stApp [data-testid="stCaptionContainer"]
  { margin-bottom: 0 !important; }
.stApp p, .stApp li { font-size: calc(3.2 * var(--u) * var(--k)) !important; line-height: 1.3 !important;
  color: #fff !important; margin: 0 !important; }
.stApp h1, .stApp h1 span { font-size: calc(3.8 * var(--u) * var(--k)) !important; color: #ffd84d !important;
  padding: 0 !important; line-height: 1.2 !important; }
.stApp h2, .stApp h2 span { font-size: calc(3.4 * var(--u) * var(--k)) !important; color: #ffd84d !important;
  padding: 0 !important; line-height: 1.2 !important; }
.stApp strong { color: #ffd84d !important; }
.stApp a { color: #9cd8ff !important; }
[data-testid="stProgress"] > div:first-child { height: auto !important; }
[data-testid="stProgress"] p { margin: 0 0 calc(0.4 * var(--u) * var(--k)) 0 !important; }
[data-testid="stProgressBarTrack"] { height: calc(1.2 * var(--u) * var(--k)) !important; background: #333 !important; }
[data-testid="stProgressBarTrack"] > div { background: #ffd84d !important; }
.stApp [data-testid="stCaptionContainer"] p { font-size: calc(2.6 * var(--u) * var(--k)) !important;
  color: #ddd !important; }
.stApp .st-key-side p { font-size: calc(2.4 * var(--u)) !important; }
.stApp .st-key-side [data-testid="stCaptionContainer"] p { font-size: calc(1.8 * var(--u)) !important;
  overflow-wrap: anywhere; }
.stApp [data-testid="stImage"] img { width: calc(var(--qr) * var(--u)) !important; height: auto !important; }
.stApp .st-key-side { --qr: 24; }
.stApp .st-key-welcome { --qr: 62; }
.stApp [data-testid="stImageCaption"] { display: none !important; }
.stApp .st-key-code p { font-size: calc(11 * var(--u)) !important; letter-spacing: .05em; }
.stApp .st-key-address p { font-size: calc(4.5 * var(--u)) !important; overflow-wrap: anywhere; }
.stApp .st-key-wait-title h1 { font-size: calc(5.5 * var(--u)) !important; }
.stApp .st-key-names p { font-size: calc(2.8 * var(--u) * var(--k)) !important; }
.stApp .st-key-countdown p { font-size: calc(6 * var(--u)) !important; }
.stApp .st-key-chooser p { font-size: calc(3 * var(--u)) !important; }
.stApp .st-key-chooser button { min-height: calc(8 * var(--u)); }
</style>"""


def scale_css(scale: float) -> str:
    """The type scale of this screen, as CSS: a number we computed, never user text."""
    return f"<style>:root {{ --k: {float(scale):.3f}; }}</style>"


person = require("session.run")
st.set_page_config(
    page_title="Proxi — projection", layout="wide", initial_sidebar_state="collapsed"
)
st.html(PROJECTOR_CSS)

mine = {s.id: s for s in live.sessions_for(db(), person)}
sessions = {i: s for i, s in mine.items() if s.status == "open"}
wanted = st.query_params.get("seance", "")
if wanted.isdigit() and int(wanted) in mine and mine[int(wanted)].status != "draft":
    session = mine[int(wanted)]  # an ended one shows its summary
elif len(sessions) == 1:
    session = next(iter(sessions.values()))
elif sessions:
    with st.container(key="chooser"):
        st.markdown("# Quelle séance projeter ?")
        for option in sessions.values():
            if st.button(option.label, key=f"project-{option.id}", width="stretch"):
                st.query_params["seance"] = str(option.id)
                st.rerun()
    st.stop()
else:
    st.markdown("# Aucune séance ouverte")
    st.markdown("Ouvrez une séance dans « Séances de groupe », puis revenez ici.")
    st.stop()


@st.cache_data(max_entries=16)
def qr_png(url: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=10, border=2)
    return buffer.getvalue()


def join_url(code: str) -> str:
    here = st.context.url or ""  # .../projection; the join page sits beside it
    return f"{here.rsplit('/', 1)[0]}/rejoindre?code={code}"


def qr(url: str) -> None:
    label = "QR code pour rejoindre la séance"
    st.image(qr_png(url), caption=label, alt=label)


def waiting_screen() -> None:
    """Before the first scenario: the code, big; the address; who has joined."""
    url = join_url(session.join_code)
    here = live_room.participants(db(), session.id)
    names = ", ".join(plain(p.name) for p in here)
    scale = screen.type_scale([screen.Block(names, 2.8)], usable=30)
    st.html(scale_css(scale))
    with st.container(key="wait-title"):
        st.markdown(f"# {session.title}")
    left, right = st.columns([2, 3], vertical_alignment="top")
    with left, st.container(key="welcome"):
        qr(url)
    with right:
        st.markdown("Rejoignez la séance avec votre téléphone : scannez le QR code, ou tapez")
        with st.container(key="address"):
            st.markdown(url.split("?")[0].replace("https://", "").replace("http://", ""))
        st.markdown("puis le code")
        with st.container(key="code"):
            st.markdown(f"**{live.display_code(session.join_code)}**")
        st.markdown(f"**{len(here)}** personne(s) ont rejoint la séance.")
        if names:
            with st.container(key="names"):
                st.markdown(names)


def scene_blocks(scenario, node, snap: live.Snapshot, offered: list[live.Option]):
    """What the scene column shows: (how to draw it, its size for `screen.type_scale`)."""
    decision = snap.decision
    blocks = [
        (partial(st.markdown, f"# {scenario.title}"), screen.Block(scenario.title, screen.TITLE))
    ]
    if node.narration:
        blocks.append((partial(ui.markdown, node.narration), screen.Block(node.narration)))
    for line in node.lines:
        name = scenario.speaker_name(line.speaker)
        blocks.append(
            (
                partial(st.markdown, f"**{name}** : {quoted(line.text)}"),
                screen.Block(f"{name} : {quoted(line.text)}"),
            )
        )
    if node.ending:
        ending = node.ending
        blocks.append(
            (partial(st.markdown, f"## {ending.title}"), screen.Block(ending.title, screen.HEADING))
        )
        blocks.append(
            (partial(ui.outcome_badge, ending.outcome), screen.Block("Issue", screen.SMALL))
        )
        blocks.append((partial(st.markdown, ending.debrief), screen.Block(ending.debrief)))
        return blocks
    if decision and decision.status == "frozen":
        blocks.append(
            (
                partial(st.markdown, "## Arrêt sur image"),
                screen.Block("Arrêt sur image", screen.HEADING),
            )
        )
        blocks.append((partial(st.markdown, node.prompt), screen.Block(node.prompt)))
    for option in offered:
        text = f"{option.letter}. {option.text}"
        bar = bool(decision) and snap.counts_shown
        blocks.append((partial(draw_option, option, snap), screen.Block(text, bar=bar)))
        if decision and decision.status == "revealed":
            mark = "Majorité. " if option.index == snap.majority else ""
            blocks.append(
                (
                    partial(st.caption, mark + option.feedback),
                    screen.Block(option.feedback, screen.SMALL),
                )
            )
    return blocks


def draw_option(option: live.Option, snap: live.Snapshot) -> None:
    """An option; once a vote is open, with its bar and count (unless hidden until the reveal)."""
    if snap.decision is None or not snap.counts_shown:
        st.markdown(f"**{option.letter}.** {option.text}")
        return
    count = snap.counts.get(option.index, 0)
    st.progress(count / max(1, snap.total), text=screen.bar_label(option, count))


def scene_screen(scenario, snap: live.Snapshot) -> None:
    node = scenario.nodes[snap.state["node"]]
    decision = snap.decision
    indexes = (
        decision.choices
        if decision
        else [choice.index for choice in engine.available_choices(scenario, snap.state)]
    )
    offered = live.options(scenario, node.id, indexes)
    blocks = scene_blocks(scenario, node, snap, offered)
    st.html(scale_css(screen.type_scale([block for _, block in blocks])))
    main, side = st.columns([39, 11])
    with main:
        for show, _ in blocks:
            show()
    with side, st.container(key="side"):
        url = join_url(session.join_code)
        qr(url)
        st.markdown(f"Code : **{live.display_code(session.join_code)}**")
        st.caption(url)
        st.markdown(f"**{snap.participants}** participant(s)")
        if decision:
            st.markdown(f"**{snap.total}** vote(s)")
        left = decision.seconds_left() if decision and decision.status in live.VOTING else None
        if left is not None:
            with st.container(key="countdown"):
                st.markdown(f"**{left // 60}:{left % 60:02d}**" if left else "**Temps écoulé**")


def end_screen() -> None:
    lines = live_report.screen_summary(db(), session.id, ui.catalogue().scenarios)
    st.html(scale_css(screen.type_scale([screen.Block(line) for line in lines], usable=70)))
    st.markdown("# Séance terminée. Merci à toutes et à tous !")
    for line in lines:
        st.markdown(line)


# 1.5 s, not 2: a vote then shows within 2 s even with the fragment's own run time.
@st.fragment(run_every=1.5)
def projection() -> None:
    snap = live.snapshot(db(), session.id)
    scenario = ui.catalogue().scenarios.get(snap.scenario_id or "")
    if snap.status != "open":
        end_screen()
    elif scenario is None or snap.state is None:
        waiting_screen()
    else:
        scene_screen(scenario, snap)


projection()
