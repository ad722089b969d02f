"""The command line, `python -m proxi COMMAND`: the only module that parses arguments and prints.

Each command is a parser (`_add_*`) and a function `args -> exit code` that calls the domain
and says in French what was done. Domain functions return values and raise `ProxiError`;
`main` turns such an error into a one-line French message on stderr and exit code 1.

Each command imports the layers it uses when it runs: the database stack (sqlite_utils
loads pandas and numpy) and the export stack cost about a second and 130 MB at start-up,
which `check`, run on every edit and in CI, does without (bench/bench_lint.py measures it).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from pathlib import Path

from proxi.content import lint
from proxi.content.catalogue import content_dirs
from proxi.content.findings import WARNING, Finding
from proxi.errors import ProxiError
from proxi.labels import outcome_phrase

DB_HELP = (
    "base de données : fichier SQLite ou adresse postgresql://… (défaut : $PROXI_DATABASE_URL,"
    " sinon $PROXI_DB, sinon progress/progress.db)"
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m proxi", description="Proxi")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for add in (
        _add_check,
        _add_demo,
        _add_rebuild,
        _add_import,
        _add_export,
        _add_backup,
        _add_migrate,
        _add_purge,
        _add_privacy,
        _add_serve,
        _add_remind,
    ):
        add(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ProxiError as error:
        print(f"Erreur : {error}", file=sys.stderr)
        return 1


# --- check -------------------------------------------------------------------------------------


def _add_check(subparsers) -> None:
    parser = subparsers.add_parser("check", help="vérifier modules et scénarios")
    parser.add_argument(
        "paths", nargs="*", help="fichiers ou dossiers (défaut : modules/ et scenarios/)"
    )
    parser.add_argument(
        "--summary", action="store_true", help="résumé des parcours de chaque scénario"
    )
    parser.set_defaults(func=_check)


def _check(args) -> int:
    paths = [Path(p) for p in args.paths] or list(content_dirs())
    missing = [p for p in paths if not p.exists()]
    for path in missing:
        print(f"{path}:1:1: P008 erreur : fichier ou dossier introuvable")
    findings, reports = lint.check([p for p in paths if p.exists()])
    for finding in sorted(findings, key=lambda f: (f.path, f.line, f.col, f.code)):
        print(_relative(finding))
    if args.summary:
        for report in reports:
            print(_summary(report))
    errors = sum(f.severity != WARNING for f in findings) + len(missing)
    warnings = len(findings) - errors + len(missing)
    print(f"{errors} erreur(s), {warnings} avertissement(s).")
    return 1 if errors else 0


def _relative(finding: Finding) -> str:
    """The finding, its path relative to the working directory when it is under it."""
    try:
        path = Path(finding.path).resolve().relative_to(Path.cwd())
    except ValueError:
        path = Path(finding.path)
    return str(dataclasses.replace(finding, path=str(path)))


def _summary(report: lint.ScenarioReport) -> str:
    paths = report.paths_text()
    endings = ", ".join(
        f"{node} ({outcome_phrase(o)}, {report.paths_by_ending.get(node, '?')} parcours)"
        for node, o in report.endings_reached.items()
    )
    ranges = ", ".join(
        f"{c} {report.competency_min[c]}..{report.competency_max[c]}" for c in report.competency_min
    )
    worst = ", ".join(sorted(report.worst_endings)) or "—"
    return (
        f"{report.scenario_id} : {report.nodes} nœuds, {paths} parcours, fins : {endings}\n"
        f"    compétences (min..max) : {ranges or '—'} ; pire conduite → {worst}"
    )


# --- demo, rebuild -----------------------------------------------------------------------------


def _add_demo(subparsers) -> None:
    parser = subparsers.add_parser(
        "demo", help="installer les données de démonstration (ou un gros jeu de test)"
    )
    parser.add_argument("--db", help=DB_HELP)
    parser.add_argument(
        "--if-empty", action="store_true", help="ne rien faire si la base contient déjà des comptes"
    )
    parser.add_argument(
        "--people", type=int, help="nombre d'apprenants synthétiques (banc d'essai)"
    )
    parser.add_argument(
        "--events", type=int, help="nombre d'événements synthétiques (banc d'essai)"
    )
    parser.set_defaults(func=_demo)


def _demo(args) -> int:
    from proxi.ops import demo
    from proxi.progress.db import database_path, open_db

    if (args.people is None) != (args.events is None):
        raise ProxiError("--people et --events vont ensemble.")
    where = database_path(args.db)
    with open_db(args.db) as db:
        if args.if_empty and demo.has_people(db):
            print(f"{where} contient déjà des comptes : rien à faire.")
            return 0
        if args.people is not None:
            count = demo.generate_synthetic(db, args.people, args.events)
            print(f"{args.people} apprenants et {count} événements créés dans {where}.")
            return 0
        created = demo.seed_demo(db)
    print(
        f"Démonstration installée dans {where} : {created} comptes, "
        f"mot de passe commun « {demo.DEMO_PASSWORD} »."
    )
    return 0


def _add_rebuild(subparsers) -> None:
    parser = subparsers.add_parser(
        "rebuild", help="recalculer la progression à partir du journal des événements"
    )
    parser.add_argument("--db", help=DB_HELP)
    parser.set_defaults(func=_rebuild)


def _rebuild(args) -> int:
    from proxi.progress import store
    from proxi.progress.db import open_db

    with open_db(args.db) as db:
        count = store.rebuild_derived(db)
    print(f"Progression recalculée à partir de {count} événements.")
    return 0


# --- import twee -------------------------------------------------------------------------------


def _add_import(subparsers) -> None:
    parser = subparsers.add_parser("import", help="importer une histoire Twine (Twee 3)")
    parser.add_argument("format", choices=["twee"], help="format du fichier (twee)")
    parser.add_argument("file", help="fichier .twee")
    parser.add_argument("--id", help="identifiant du scénario (défaut : nom du fichier)")
    parser.add_argument("--module", default="4-gestion-des-conflits", help="module de rattachement")
    parser.set_defaults(func=_import)


def _import(args) -> int:
    import yaml

    from proxi.content import twee

    source = Path(args.file)
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ProxiError(f"impossible de lire {source} : {error}") from None
    scenario = twee.convert(text, args.id or twee.slug(source.stem).replace("_", "-"), args.module)
    sys.stdout.write(yaml.safe_dump(scenario, allow_unicode=True, sort_keys=False, width=100))
    return 0


# --- export csv | xapi -------------------------------------------------------------------------


def _add_export(subparsers) -> None:
    parser = subparsers.add_parser(
        "export", help="exporter les progressions (CSV) ou les traces xAPI"
    )
    parser.add_argument("format", choices=["csv", "xapi"], help="csv pour Excel, xapi vers un LRS")
    parser.add_argument("--to", required=True, help="fichier CSV, ou adresse de l'entrepôt LRS")
    parser.add_argument("--db", help=DB_HELP)
    parser.add_argument("--user", help="identifiant de l'entrepôt LRS (authentification Basic)")
    parser.add_argument("--password", help="mot de passe de l'entrepôt LRS")
    parser.add_argument("--batch", type=int, default=200, help="déclarations par envoi (200)")
    parser.add_argument(
        "--from-start", action="store_true", help="tout renvoyer, pas seulement les nouveautés"
    )
    parser.add_argument(
        "--free-text",
        action="store_true",
        help="envoyer aussi le texte des réflexions (par défaut, il reste dans Proxi)",
    )
    parser.set_defaults(func=_export)


def _export(args) -> int:
    from proxi.content.catalogue import load_catalogue
    from proxi.documents import lrs, spreadsheet, tables
    from proxi.progress import reports
    from proxi.progress.db import open_db, open_private

    catalogue = load_catalogue()
    with open_db(args.db) as db:
        if args.format == "csv":
            rows = reports.matrix(db, reports.Viewer.system())
            with open_private(args.to) as file:
                file.write(spreadsheet.matrix_csv(rows, tables.catalogue_items(catalogue)))
            print(f"{len(rows)} personnes exportées dans {args.to}.")
            return 0
        if args.batch < 1:
            raise lrs.ExportError("--batch doit être au moins 1.")
        report = lrs.send_all(
            db,
            args.to,
            tables.catalogue_titles(catalogue),
            user=args.user,
            password=args.password,
            batch=args.batch,
            from_start=args.from_start,
            free_text=args.free_text,
        )
    if report.voided:
        print(f"{report.voided} déclaration(s) de personnes effacées annulée(s) dans l'entrepôt.")
    print(
        f"{report.sent} déclarations xAPI envoyées, {report.duplicates} déjà présentes, "
        f"en {report.batches} lot(s)."
    )
    if report.conflicts:
        print(
            f"{report.conflicts} déclaration(s) en conflit : l'entrepôt LRS garde sous le même "
            "identifiant un contenu différent. Elles n'ont pas été envoyées ; vérifiez "
            "l'entrepôt (une autre base Proxi y envoie-t-elle ?)."
        )
        return 1
    return 0


# --- backup, restore ---------------------------------------------------------------------------


def _add_backup(subparsers) -> None:
    saving = subparsers.add_parser(
        "backup", help="copie cohérente de la base, même pendant que l'application tourne"
    )
    saving.add_argument(
        "--to", required=True, help="fichier de sauvegarde, ou dossier (un fichier daté y est créé)"
    )
    saving.add_argument("--db", help=DB_HELP)
    saving.set_defaults(func=_backup)
    restoring = subparsers.add_parser(
        "restore", help="remplacer la base par une sauvegarde (copie de sécurité faite avant)"
    )
    restoring.add_argument("--from", dest="source", required=True, help="fichier de sauvegarde")
    restoring.add_argument("--db", help=DB_HELP)
    restoring.add_argument(
        "--yes", action="store_true", help="confirmer le remplacement de la base actuelle"
    )
    restoring.set_defaults(func=_restore)


def _backup(args) -> int:
    from proxi.ops import backup

    copy = backup.backup(args.to, args.db)
    print(
        f"Sauvegarde écrite : {copy.path} ({copy.size / 1e6:.1f} Mo, "
        f"{copy.people} personnes, {copy.events} événements). Intégrité vérifiée."
    )
    return 0


def _restore(args) -> int:
    from proxi.ops import backup

    if not args.yes:
        raise backup.BackupError(
            "La restauration remplace toute la base actuelle : relancez avec --yes pour confirmer "
            "(arrêtez d'abord l'application, voir docs/exploitation.md)."
        )
    copy, safety = backup.restore(args.source, args.db)
    if safety:
        print(f"Copie de sécurité de la base remplacée : {safety}")
    print(
        f"Base restaurée : {copy.path} ({copy.people} personnes, {copy.events} événements), "
        "schéma mis à jour."
    )
    return 0


# --- migrate -----------------------------------------------------------------------------------


def _add_migrate(subparsers) -> None:
    parser = subparsers.add_parser(
        "migrate", help="copier la base SQLite dans une base PostgreSQL neuve, puis vérifier"
    )
    parser.add_argument(
        "--to", required=True, help="adresse de la base PostgreSQL vide : postgresql://…"
    )
    parser.add_argument("--db", help=DB_HELP)
    parser.set_defaults(func=_migrate)


def _migrate(args) -> int:
    from proxi.ops import transfer
    from proxi.progress import dialect
    from proxi.progress.db import DEFAULT_PATH, database_path, open_db

    # The source is the SQLite file, even where $PROXI_DATABASE_URL already names the target.
    source = database_path(args.db or os.environ.get("PROXI_DB") or DEFAULT_PATH)
    if dialect.engine_for(source) is not dialect.SQLITE:
        raise transfer.TransferError("La source doit être un fichier SQLite (--db).")
    with open_db(source) as db:
        done = transfer.transfer(db, args.to)
    print(
        f"Copie vérifiée : {_count(sum(done.rows.values()), 'ligne')} dans "
        f"{_count(len(done.rows), 'table')}, dont {_count(done.rows['events'], 'événement')} "
        f"(empreinte {done.events_checksum[:16]}…, identique des deux côtés)."
    )
    print(
        "Pour que l'application utilise PostgreSQL : arrêtez-la, mettez "
        f"PROXI_DATABASE_URL={transfer.shown(args.to)} dans sa configuration, avec la même "
        "PROXI_SECRET sur chaque serveur, puis relancez-la. Le fichier SQLite "
        f"{source} reste tel quel : gardez-le comme sauvegarde."
    )
    return 0


# --- purge -------------------------------------------------------------------------------------


def _add_purge(subparsers) -> None:
    parser = subparsers.add_parser(
        "purge", help="supprimer le détail des événements plus anciens que la durée de conservation"
    )
    parser.add_argument(
        "--days",
        type=int,
        help="durée de conservation en jours (défaut : $PROXI_RETENTION_DAYS, sinon 730)",
    )
    parser.add_argument("--db", help=DB_HELP)
    parser.set_defaults(func=_purge)


def _purge(args) -> int:
    from proxi.ops import retention
    from proxi.progress.db import open_db

    with open_db(args.db) as db:
        done = retention.purge(db, args.days)
    print(
        f"Durée de conservation : {_count(done.days, 'jour')}. Avant le {done.cutoff[:10]} : "
        f"{_count(done.events_deleted, 'événement détaillé', 'événements détaillés')} supprimé(s), "
        f"{_count(done.answers_cleared, 'réponse libre', 'réponses libres')} effacée(s), "
        f"{_count(done.sessions_deleted, 'session expirée', 'sessions expirées')} supprimée(s), "
        f"{_count(done.audit_deleted, 'entrée du journal', 'entrées du journal')} supprimée(s)."
    )
    gone = done.proofs_deleted
    print(
        "Preuves arrivées au bout de leur durée de conservation, supprimées : "
        f"relevés de connexions {gone.get('connections', 0)}, "
        f"émargement {gone.get('attendance', 0)}, "
        f"attestations et formations suivies ailleurs {gone.get('certificates', 0)}, "
        f"résultats {gone.get('events', 0)} (enregistrements)."
    )
    return 0


def _count(number: int, singular: str, plural: str | None = None) -> str:
    return f"{number} {singular if number < 2 else plural or singular + 's'}"


# --- privacy export | erase --------------------------------------------------------------------


def _add_privacy(subparsers) -> None:
    parser = subparsers.add_parser(
        "privacy",
        help="données personnelles : exporter ou effacer tout ce qui concerne une personne",
    )
    actions = parser.add_subparsers(dest="action", required=True)
    exporting = actions.add_parser(
        "export", help="exporter en JSON tout ce qui concerne une personne"
    )
    exporting.add_argument("identifier", help="identifiant de connexion de la personne")
    exporting.add_argument("--to", help="fichier JSON à écrire (défaut : la sortie standard)")
    erase = actions.add_parser("erase", help="effacer une personne (données anonymisées)")
    erase.add_argument("identifier", help="identifiant de connexion de la personne")
    erase.add_argument(
        "--confirm", required=True, help="retapez l'identifiant pour confirmer l'effacement"
    )
    erase.add_argument(
        "--keep-attestations",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="garder les attestations de formation (défaut : $PROXI_KEEP_ATTESTATIONS)",
    )
    for sub in (exporting, erase):
        sub.add_argument("--db", help=DB_HELP)
    exporting.set_defaults(func=_privacy_export)
    erase.set_defaults(func=_privacy_erase)


def _privacy_export(args) -> int:
    from proxi.ops import privacy
    from proxi.progress.db import open_db

    with open_db(args.db) as db:
        text = privacy.export_json(db, privacy.person_named(db, args.identifier).id)
    if not args.to:
        print(text)
        return 0
    privacy.write_private(Path(args.to), text + "\n")
    print(f"Données de « {args.identifier} » exportées dans {args.to}.", file=sys.stderr)
    return 0


def _privacy_erase(args) -> int:
    from proxi.ops import privacy
    from proxi.people.accounts import normalise_identifier
    from proxi.people.permissions import OPERATOR
    from proxi.progress.db import open_db

    if normalise_identifier(args.confirm) != normalise_identifier(args.identifier):
        raise privacy.PrivacyError(
            "La confirmation ne correspond pas à l'identifiant : rien n'a été effacé. "
            "Retapez exactement l'identifiant après --confirm."
        )
    with open_db(args.db) as db:
        person = privacy.person_named(db, args.identifier)
        erasure = privacy.erase_person(
            db, OPERATOR, person.id, keep_attestations=args.keep_attestations
        )
    print(erasure.told(args.identifier))
    return 0


# --- serve -------------------------------------------------------------------------------------


def _add_serve(subparsers) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="production : plusieurs processus Streamlit derrière nginx (docs/exploitation.md)",
    )
    parser.add_argument(
        "--processes",
        type=int,
        help="nombre de processus (défaut : $PROXI_PROCESSES, sinon un par cœur)",
    )
    parser.add_argument(
        "--address", default="0.0.0.0", help="adresse d'écoute de nginx (défaut : 0.0.0.0)"
    )
    parser.add_argument(
        "--port", type=int, default=8501, help="port d'écoute de nginx (défaut : 8501)"
    )
    parser.add_argument(
        "--app", default="app.py", help="fichier de l'application (défaut : app.py)"
    )
    parser.add_argument(
        "--upstream",
        action="append",
        default=[],
        metavar="HÔTE:PORT",
        help="frontal : nginx seul devant ce serveur Proxi lancé ailleurs (autre conteneur, "
        "autre machine) ; à répéter, sans processus local sauf --processes",
    )
    parser.add_argument("--db", help=DB_HELP)
    parser.set_defaults(func=_serve)


def _serve(args) -> int:
    from proxi.ops import serve

    default = 0 if args.upstream else serve.default_processes()
    processes = default if args.processes is None else args.processes
    plan = serve.make_plan(
        Path(args.app), processes, args.address, args.port, upstreams=args.upstream
    )
    env = dict(os.environ, **({"PROXI_DB": args.db} if args.db else {}))
    behind = [f"{processes} processus"] if processes else []
    behind += [f"le serveur {upstream}" for upstream in args.upstream]

    def ready(running: serve.Running) -> None:
        print(
            f"Proxi : {', '.join(behind)} derrière nginx, sur {plan.url} "
            "(Ctrl+C ou SIGTERM pour arrêter).",
            flush=True,
        )

    code = serve.serve(plan, env, on_ready=ready)
    print("Proxi arrêté.", flush=True)
    return code


# --- remind ------------------------------------------------------------------------------------


def _add_remind(subparsers) -> None:
    parser = subparsers.add_parser(
        "remind",
        help="envoyer les rappels d'échéance du jour et le point hebdomadaire des responsables",
    )
    parser.add_argument("--today", help="jour à traiter, AAAA-MM-JJ (défaut : aujourd'hui)")
    parser.add_argument(
        "--dry-run", action="store_true", help="afficher les rappels prévus sans rien envoyer"
    )
    parser.add_argument("--db", help=DB_HELP)
    parser.set_defaults(func=_remind)


def _remind(args) -> int:
    from datetime import date

    from proxi import dates
    from proxi.content.catalogue import load_catalogue
    from proxi.mail import mail_config
    from proxi.ops import reminders
    from proxi.progress.db import open_db

    try:
        today = date.fromisoformat(args.today) if args.today else dates.today()
    except ValueError as error:
        raise ProxiError(f"--today attend une date AAAA-MM-JJ, pas « {args.today} ».") from error
    titles = {m.id: m.title for m in load_catalogue().course.modules.values()}
    with open_db(args.db) as db:
        if args.dry_run:
            for planned in reminders.planned(db, today, titles):
                print(f"{planned.name} <{planned.email or 'sans adresse'}> : {planned.subject}")
            return 0
        config = mail_config()
        if config is None:
            raise ProxiError(
                "L'envoi par courriel n'est pas configuré (PROXI_SMTP_HOST) : aucun rappel "
                "envoyé. Les échéances restent affichées aux personnes sur leur accueil."
            )
        done = reminders.send_reminders(db, config, today, titles)
    print(
        f"{_count(len(done.sent), 'rappel envoyé', 'rappels envoyés')}, "
        f"{_count(len(done.digests), 'point hebdomadaire envoyé', 'points hebdomadaires envoyés')}."
    )
    for reminder in done.no_address:
        print(f"Sans adresse électronique : {reminder.name} ({reminder.title}).")
    for _, reason in done.failed:
        print(f"Non envoyé, réessayé au prochain passage : {reason}", file=sys.stderr)
    return 1 if done.failed else 0
