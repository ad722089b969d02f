"""Streamlit's own English, in French: the one owner of the words Streamlit writes itself.

Where Streamlit (1.67) has an option, the pages use it: a multiselect's placeholder and
« Select all » (`ui.multiselect`), the navigation drawn in full (`st.navigation(...,
expanded=True)`, no « View 4 more »), charts' axes and legends described in French for
screen readers (`ui.bars`), the toolbar reduced to nothing Streamlit's own
(`client.toolbarMode = "minimal"` in .streamlit/config.toml: no « Deploy », no menu).

The rest is fixed English in Streamlit's frontend with no option: the file uploader's
« Upload » and « 2MB per file », « Press Enter to submit form » under a field being typed
in, « No results » in a list, « Page not found », « Running... », the skip link, the
tables' and charts' toolbars, and the labels screen readers speak (« Collapse sidebar »,
« Show password », « Increment »...). `install()` puts one constant script in the page
(st.html runs it in the page itself, not in a frame) that rewrites exactly those texts, in
text nodes and in the placeholder, title and aria-label attributes, as Streamlit draws
them: once over the whole document, then on every change (a MutationObserver). It touches
only a text equal to one of ours or matching one of our patterns, so nothing a person
wrote is ever changed; it carries no user data (the maps below are constants).

tests/e2e/test_no_english.py walks every page of every role and fails on any English.
"""

from __future__ import annotations

import json

import streamlit as st

# Streamlit's English (exact, trimmed) -> what a person reads instead.
EXACT = {
    # The page and its navigation
    "Skip to main content": "Aller au contenu principal",
    "Sidebar": "Menu",
    "App pages": "Pages de Proxi",
    "Collapse sidebar": "Fermer le menu",
    "Expand sidebar": "Ouvrir le menu",
    "Main menu": "Menu principal",
    "Navigate to home page": "Aller à l'accueil",
    "Link to heading": "Lien vers cette partie",
    "Scroll tabs left": "Onglets précédents",
    "Scroll tabs right": "Onglets suivants",
    "Running...": "En cours…",
    "Stop": "Arrêter",
    "Stopping...": "Arrêt…",
    "Close": "Fermer",
    "Cancel": "Annuler",
    "Copy": "Copier",
    "Copied!": "Copié !",
    "Try again": "Réessayer",
    "Help": "Aide",
    # A mistyped address (shell.py leads every known address somewhere)
    "Page not found": "Page introuvable",
    "The page that you have requested does not seem to exist. Running the app's main page.": (
        "Cette adresse ne mène à aucune page de Proxi. Voici la page d'accueil."
    ),
    # The connection to the server
    "Connecting": "Connexion…",
    "Please wait...": "Un instant…",
    "Connection error": "Connexion perdue",
    "Is Streamlit still running? If you accidentally stopped Streamlit, just restart it "
    "in your terminal:": "Proxi ne répond plus. Réessayez dans un instant.",
    # An error no page expected (client.showErrorDetails = "none": the details are in the
    # server's log, the person reads what to do)
    "This app has encountered an error. The original error message is redacted to prevent "
    "data leaks. Full error details have been recorded in the logs (if you're on Streamlit "
    "Cloud, click on 'Manage app' in the lower right of your app).": (
        "Une erreur imprévue empêche d'afficher cette page. Ce qui était déjà enregistré est "
        "conservé. Rechargez la page ; si l'erreur revient, prévenez l'administrateur de Proxi."
    ),
    # Fields and lists
    "Press Enter to submit form": "Entrée pour envoyer le formulaire",
    "Press Enter to apply": "Entrée pour valider",
    "Choose an option": "Choisir",
    "Choose options": "Choisir…",
    "Select...": "Choisir…",
    "No results": "Aucun résultat",
    "Open": "Ouvrir la liste",
    "Clear all": "Tout effacer",
    "Clear value": "Effacer",
    "Selected values": "Choix faits",
    "Select all": "Tout choisir",
    "Show password": "Afficher les caractères",
    "Hide password": "Masquer les caractères",
    "Increment": "Augmenter",
    "Decrement": "Diminuer",
    # The file uploader
    "Upload": "Choisir un fichier",
    "Upload directories": "Choisir un dossier",
    "Add files": "Ajouter des fichiers",
    "file upload": "Choisir un fichier",
    "Drag and drop a file here": "Déposez le fichier ici",
    "Drag and drop files here": "Déposez les fichiers ici",
    "Drag and drop directories here": "Déposez les dossiers ici",
    "File type not allowed.": "Ce type de fichier n'est pas accepté.",
    "Error uploading file": "Le fichier n'a pas pu être envoyé",
    "Error deleting file": "Le fichier n'a pas pu être retiré",
    # Tables and charts
    "Download as CSV": "Télécharger (CSV)",
    "Download as PNG": "Télécharger l'image (PNG)",
    "Copy Vega-Lite spec": "Copier la description du graphique",
    "Show data": "Voir les données",
    "Show chart": "Voir le graphique",
    "Search": "Rechercher",
    "Close Search": "Fermer la recherche",
    "Next Result": "Résultat suivant",
    "Previous Result": "Résultat précédent",
    "Fullscreen": "Plein écran",
    "Close fullscreen": "Quitter le plein écran",
    "Show/hide columns": "Afficher ou masquer des colonnes",
    "Dataframe column menu": "Menu de la colonne",
    "Copy column name": "Copier le nom de la colonne",
    "Sort ascending": "Trier par ordre croissant",
    "Sort descending": "Trier par ordre décroissant",
    "Hide column": "Masquer la colonne",
    "Pin column": "Épingler la colonne",
    "Unpin column": "Désépingler la colonne",
    "Autosize": "Largeur automatique",
    "Format": "Format",
    "Clear selection": "Effacer la sélection",
    "No data": "Aucune donnée",
    "Empty": "Vide",
}
# Streamlit's English with a part that varies: (JavaScript regular expression, French with $1).
PATTERNS = [
    (r"^(\d+(?:\.\d+)?)\s?([KMG])B per file$", "$1 $2o par fichier"),
    (
        r"^File must be (\d+(?:\.\d+)?)\s?([KMG])B or smaller\.$",
        "Le fichier doit faire $1 $2o au plus.",
    ),
    (r"^(.+) files are not allowed\.$", "Les fichiers $1 ne sont pas acceptés."),
    (r"^Press (⌘|Ctrl)\+Enter to apply$", "$1+Entrée pour valider"),
    (r"^Press (⌘|Ctrl)\+Enter to submit form$", "$1+Entrée pour envoyer le formulaire"),
    (r"^Remove (.+)$", "Retirer $1"),
    (r"^Help for (.+)$", "Aide : $1"),
    (
        r"^You have requested page /(.*), but no corresponding file was found in the app's "
        r"pages/ directory\. Running the app's main page\.$",
        "Cette adresse ne mène à aucune page de Proxi. Voici la page d'accueil.",
    ),
]
_SCRIPT = """<script>
(() => {
  if (window.__proxiFrench) return;
  window.__proxiFrench = true;
  const exact = new Map(Object.entries(%(exact)s));
  const patterns = %(patterns)s.map(([from, to]) => [new RegExp(from), to]);
  const french = (text) => {
    const core = text.trim();
    if (!core) return null;
    if (exact.has(core)) return text.replace(core, exact.get(core));
    for (const [pattern, to] of patterns) {
      if (pattern.test(core)) return text.replace(core, core.replace(pattern, to));
    }
    return null;
  };
  const NAMES = ["placeholder", "title", "aria-label"];
  const fixAttributes = (element) => {
    for (const name of NAMES) {
      const value = element.getAttribute(name);
      const done = value && french(value);
      if (done) element.setAttribute(name, done);
    }
  };
  const fix = (node) => {
    if (node.nodeType === Node.TEXT_NODE) {
      const done = french(node.data);
      if (done !== null) node.data = done;
    } else if (node.nodeType === Node.ELEMENT_NODE) {
      fixAttributes(node);
      node.querySelectorAll("[placeholder], [title], [aria-label]").forEach(fixAttributes);
      const texts = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
      while (texts.nextNode()) fix(texts.currentNode);
    }
  };
  fix(document.body);
  new MutationObserver((changes) => changes.forEach((change) => {
    if (change.type === "childList") change.addedNodes.forEach(fix);
    else if (change.type === "characterData") fix(change.target);
    else fixAttributes(change.target);
  })).observe(document.body, {
    subtree: true, childList: true, characterData: true, attributes: true,
    attributeFilter: NAMES,
  });
})();
</script>"""
SCRIPT = _SCRIPT % {
    "exact": json.dumps(EXACT, ensure_ascii=False),
    "patterns": json.dumps(PATTERNS, ensure_ascii=False),
}


def install() -> None:
    """Put the script in the page; it installs itself once per browser tab (a rerun or a
    page switch that draws it again finds it running)."""
    st.html(SCRIPT, unsafe_allow_javascript=True)
