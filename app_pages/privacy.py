"""What Proxi records about a person, why, who sees it, for how long (RGPD information)."""

import streamlit as st

from app_pages import ui
from app_pages.identity import current_person
from proxi.ops.retention import RetentionError, periods, retention_days


def proofs_kept() -> str:
    """How long the proofs of training stay, as configured (said plainly if misconfigured)."""
    try:
        kept = periods()
    except RetentionError:
        return "Les preuves de votre formation sont gardées plus longtemps, puis supprimées."
    return (
        "Les preuves de votre formation sont gardées plus longtemps, puis supprimées : le "
        f"relevé de vos connexions **{kept.connections_years} ans**, les feuilles d'émargement "
        f"**{kept.attendance_years} ans**, les attestations, certificats et formations suivies "
        f"ailleurs **{kept.certificates_years} ans**."
    )


st.title("Vos données dans Proxi")
st.markdown(
    f"""
Proxi est l'outil de formation des personnels de proximité de plusieurs bailleurs sociaux et
de la ville. Votre employeur vous y a inscrit. Voici, avant tout usage, ce que Proxi enregistre.

**Ce que Proxi enregistre**

- Votre compte : nom, identifiant, organisation, site ou quartier, métier, rôle, e-mail s'il a été donné.
  Le mot de passe n'est jamais stocké en clair (seulement une empreinte chiffrée).
- Votre activité de formation : leçons vues, réponses aux exercices et aux quiz, choix faits dans les
  mises en situation, fins atteintes, temps passé, présence aux séances de groupe et votes.
- Vos réflexions écrites dans les exercices « réflexion ».

**Pourquoi**

- Vous permettre de reprendre là où vous vous étiez arrêté.
- Prouver que la formation a été suivie (attestations, feuilles d'émargement).
- Aider les formateurs à préparer les séances (statistiques de choix, sans nom).

**Qui voit quoi**

- Vous voyez tout ce qui vous concerne (page « Ma progression »).
- Votre manager voit la progression des personnes de **sa** structure, jamais celles des autres.
- Le formateur voit les personnes des séances qu'il a animées.
- La coordination de la formation voit toutes les structures et administre les comptes.
- Si votre employeur suit la formation dans un entrepôt de traces d'apprentissage (LRS), il y
  reçoit votre activité sous un numéro anonyme, sans le texte de vos réflexions (sauf décision
  contraire qui vous aura été annoncée). Si vos données sont effacées, ces traces y sont annulées.

**Combien de temps**

- Le détail de votre activité est conservé **{retention_days()} jours**, puis supprimé.
  {proofs_kept()} Votre progression (modules terminés, scores) reste tant que votre compte
  existe.
- Quand vous quittez votre poste, la coordination peut supprimer ou anonymiser vos données.

**Vos droits**

Vous pouvez demander à la coordination une copie de toutes vos données (format lisible par
machine), leur correction ou leur effacement. Vous pouvez aussi vous adresser à la CNIL.
"""
)

if current_person() is None:  # logged out there is no menu: the way back to the login form
    ui.page_link("app_pages/login.py", "Retour à la connexion", "🔑")
