"""Tableau de bord: progress of the people the viewer follows, due dates, paths, prints.

Every figure comes from proxi.progress.reports, scoped there to the viewer; tables are shaped by
proxi.documents.tables. Tabs are lazy (on_change="rerun"): only the open one queries the database.
"""

import streamlit as st

from app_pages import due_parts, training_parts, ui
from app_pages.connection import db
from app_pages.identity import require
from proxi import dates
from proxi.content.markdown import plain
from proxi.dates import french_date
from proxi.documents import spreadsheet, tables
from proxi.documents.attestation import attestation_markdown
from proxi.errors import NotAllowed
from proxi.live import attendance
from proxi.live import sessions as live
from proxi.people import accounts, permissions
from proxi.progress import due_dates, reports
from proxi.progress.db import database_path

PRINT_CSS = """<style>@media print {
  [data-testid="stAppViewContainer"], [data-testid="stMain"], section.main
    { overflow: visible !important; height: auto !important; position: static !important; }
  [role="tablist"], h1, [data-testid="stExpander"], .stDownloadButton, .stSelectbox,
    .stCheckbox, [data-testid="stCaptionContainer"] { display: none !important; }
  [data-testid="stMarkdownContainer"] td { height: 2.6rem; border: 1px solid #555 !important; }
}</style>"""
st.set_page_config(page_title="Tableau de bord · Proxi", layout="wide")  # a wide matrix
TABS = ["Vue d'ensemble", "Relances", "Parcours", "Fiche individuelle", "Impressions"]


@st.cache_resource(ttl=30, max_entries=16, show_spinner=False)
def matrix(path: str, scope: reports.Scope, include_inactive: bool, people: tuple, _viewer) -> list:
    """The matrix, kept 30 s: reading 5,000 people costs a good 100 ms and every widget
    touched reruns the page. Keyed by database and SCOPE (all coordinators share one),
    never by anything the viewer could choose; never mutated. And by `people`
    (reports.people_version): people just imported or erased show at once, in every
    process, not 30 s later."""
    return reports.matrix(db(), _viewer, include_inactive)


def pick(label: str, options: dict, none: str, where=st):
    """A select whose first option, None, means « all »."""
    return where.selectbox(label, [None, *options], format_func=lambda o: options.get(o, none))


def show_tables(found: dict[str, list]) -> None:
    for label, table in found.items():
        st.markdown(f"**{label}**")
        if table:
            ui.table(table, hide_index=True, placeholder="—")
        else:
            st.caption("Rien à afficher.")


def export_scope() -> str:
    """Whom the CSV covers, for its name: the organisation filtered on, else the viewer's."""
    if org:
        return orgs[org]
    if scope.everyone:
        return "toutes les organisations"
    if "manager" in viewer.roles and viewer.organisation_id in all_orgs:
        return all_orgs[viewer.organisation_id]
    return "mes stagiaires"


person = require("dashboard.view")
viewer = reports.Viewer.of(person)
cat = ui.catalogue()
items, titles = tables.catalogue_items(cat), tables.catalogue_titles(cat)
module_ids = [i for i, _, kind in items if kind == "module"]
st.title("Tableau de bord")
st.html(PRINT_CSS)
scope = reports.scope_for(db(), viewer)
inactive = st.checkbox("Inclure les désactivés")
everyone = matrix(str(database_path()), scope, inactive, reports.people_version(db()), viewer)
found = reports.filter_choices(everyone)
orgs = dict(found["organisations"])
all_orgs = {o.id: o.name for o in accounts.list_organisations(db())}
with st.expander("Filtres"):
    left, right = st.columns(2)
    org = pick("Organisation", orgs, "Toutes", left)
    site = pick("Agence ou secteur", {s: s for s in found["sites"]}, "Tous", right)
    jobs = {j: accounts.JOB_CATEGORIES.get(j, j) for j in found["job_categories"]}
    job = pick("Catégorie d'emploi", jobs, "Toutes", left)
    item = pick("Module ou mise en situation", titles, "Tous", right)
    status = pick("Statut", reports.STATUSES, "Tous", left)
    search = right.text_input("Rechercher un nom")
rows = reports.filtered(everyone, reports.Filters(org, site, job, search, status, item))
opening = "Fiche individuelle" if st.query_params.get("personne") else None  # a link here
tab = st.tabs(TABS, default=opening, on_change="rerun", key="dashboard-tab")
tab = dict(zip(TABS, tab, strict=True))

with tab["Vue d'ensemble"]:
    if tab["Vue d'ensemble"].open:
        head = reports.headline(db(), viewer, rows, module_ids)
        figures = tables.headline_figures(head)
        for column, (label, value) in zip(st.columns(len(figures)), figures, strict=True):
            column.metric(label, value)
        st.caption(" · ".join(f"{titles[m]} : {n} terminé(s)" for m, n in head.completed.items()))
        if chart := tables.completion_chart(rows, module_ids, titles):
            modules = [titles.get(m, m) for m in module_ids]
            ui.bars(chart, "Organisation", modules, "% des personnes qui ont terminé")
        else:
            st.info("Personne à suivre pour l'instant : aucune donnée à afficher.")
        pages, start = tables.matrix_pages(len(rows)), 0
        if len(pages) > 1:  # one page at a time on screen; every line in the CSV below
            start = st.selectbox("Personnes", list(pages), format_func=pages.get, key="matrix-page")
            st.caption("Toutes les personnes de la sélection : « Télécharger pour Excel (CSV) ».")
        shown = rows[start : start + tables.PAGE_SIZE]
        ui.table(tables.matrix_table(shown, items, item), hide_index=True, placeholder="—")
        csv = lambda: spreadsheet.matrix_csv(rows, items)  # noqa: E731 (built only when clicked)
        name = spreadsheet.file_name("suivi", export_scope(), dates.today())
        st.download_button("Télécharger pour Excel (CSV)", csv, name, on_click="ignore")

with tab["Relances"]:
    if tab["Relances"].open:
        due_parts.set_form(person, everyone, titles, module_ids)
        days = st.number_input("Inactifs : sans activité depuis (jours)", 1, 365, 30)
        show_tables(tables.followup_tables(rows, due_dates.visible(db(), viewer), days, titles))
        due_parts.by_hand(person, rows, titles)

with tab["Parcours"]:
    if tab["Parcours"].open and cat.scenarios:
        names = cat.scenario_titles()
        chosen = st.selectbox("Mise en situation", list(names), format_func=names.get)
        st.caption("Choix pris à chaque décision, en autonomie et en séance de groupe (votes).")
        counts = reports.path_analytics(db(), viewer, chosen, org)
        ui.table(tables.path_table(counts, cat.scenarios[chosen]), hide_index=True, placeholder="—")
        ended = tables.endings_table(reports.endings(db(), viewer, list(names), org), cat.scenarios)
        these = [line for line in ended if line["Mise en situation"] == names[chosen]]
        if these:  # this scenario's endings as bars, then every scenario's as a table
            ui.bars(these, "Fin", ["En autonomie", "En groupe"], "Nombre de fins atteintes")
        show_tables({"Fins atteintes": ended})

with tab["Fiche individuelle"]:
    if tab["Fiche individuelle"].open:
        names = {r.person.id: r.person.label for r in rows}
        choose = dict(format_func=names.get, index=None, placeholder="Choisir une personne")
        wanted = st.selectbox("Personne", list(names), **choose) or st.query_params.get("personne")
        try:
            report = reports.person_report(db(), viewer, int(wanted)) if wanted else None
        except (NotAllowed, ValueError):
            st.error(reports.OUT_OF_SCOPE)
            report = None
        if report:
            st.subheader(plain(report.person.display_name))
            show_tables(tables.person_tables(report, cat))
            modules = {m.id: m.title for m in cat.course.modules.values()}
            name = report.person.display_name
            ui.connection_buttons(db(), report.person.id, name, modules, str(report.person.id))
            for done in tables.person_completions(report, cat.course.modules):
                with st.expander(f"Attestation — {done.module.title}"):
                    row = report.modules[done.module.id]
                    st.markdown(
                        attestation_markdown(report.person, done.organisation, done.module, row)
                    )
                    ui.pdf_buttons(db(), [done], f"{done.module.id}-{report.person.id}", False)
            if permissions.may(person, "training.record", report.person):
                st.subheader("Formations suivies ailleurs")
                training_parts.listing(person, report.person.id, modules, removable=True)
                training_parts.record_form(person, report.person, modules)

with tab["Impressions"]:
    if tab["Impressions"].open:
        module_id = st.selectbox("Attestations du module", module_ids, format_func=titles.get)
        progress = reports.module_rows(db(), viewer, module_id)
        selection = tables.completions(rows, cat.course.modules[module_id], progress)
        st.caption(
            f"{len(selection)} personne(s) de la sélection (filtres ci-dessus) ont terminé ce "
            "module : un seul PDF, une page par personne, chacune avec son code de vérification."
        )
        if selection:
            ui.pdf_buttons(db(), selection, module_id)
        sessions = {s["id"]: s for s in reports.visible_sessions(db(), viewer)}
        labels = {i: f"{french_date(s['day'])} — {s['title']}" for i, s in sessions.items()}
        if session := pick("Feuille d'émargement", labels, "—"):
            ui.attendance_sheet(
                db(), attendance.sheet(db(), live.get_session(db(), session), viewer)
            )
