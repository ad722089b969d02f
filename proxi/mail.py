"""Sending e-mail: the SMTP settings read from the environment, and the one sender.

Mail is optional. Without $PROXI_SMTP_HOST `mail_config()` is None and the pages offer only
what works without it (a printable sheet, a link to copy). With it:

    PROXI_SMTP_HOST      the SMTP server (required to send anything)
    PROXI_SMTP_PORT      default 587 with STARTTLS, 25 without
    PROXI_SMTP_FROM      the sender address (required with a host)
    PROXI_SMTP_USER      login, if the server wants one
    PROXI_SMTP_PASSWORD  its password
    PROXI_SMTP_STARTTLS  1/0; default 1 when a login is set (never send a password in clear)

`send_mail` raises `MailError` (a French message, never a traceback) whatever went wrong:
a refused connection, a refused login, a refused recipient.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from proxi.errors import ProxiError

SMTP_TIMEOUT_S = 20
_TRUE, _FALSE = {"1", "true", "yes", "oui", "on"}, {"0", "false", "no", "non", "off", ""}


class MailError(ProxiError):
    """A message could not be sent, or the mail settings are wrong (the message says which)."""


@dataclass(frozen=True)
class MailConfig:
    host: str
    port: int
    sender: str
    user: str | None = None
    password: str | None = None
    starttls: bool = False


def mail_config(environ: Mapping[str, str] = os.environ) -> MailConfig | None:
    """The SMTP settings from the environment; None when no server is configured."""
    host = environ.get("PROXI_SMTP_HOST", "").strip()
    if not host:
        return None
    sender = environ.get("PROXI_SMTP_FROM", "").strip()
    if "@" not in sender:
        raise MailError(
            "PROXI_SMTP_FROM doit donner l'adresse d'expédition des courriels"
            " (par exemple formation@bailleur.fr)."
        )
    user = environ.get("PROXI_SMTP_USER", "").strip() or None
    starttls = _flag(environ.get("PROXI_SMTP_STARTTLS"), default=user is not None)
    port_text = environ.get("PROXI_SMTP_PORT", "").strip() or ("587" if starttls else "25")
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise MailError(f"PROXI_SMTP_PORT doit être un numéro de port, pas « {port_text} ».")
    password = environ.get("PROXI_SMTP_PASSWORD") or None
    return MailConfig(host, int(port_text), sender, user, password, starttls)


def send_mail(config: MailConfig, to: str, subject: str, body: str) -> None:
    """Send one plain-text message to one address; MailError if it did not leave."""
    message = _message(config.sender, to, subject, body)
    try:
        with smtplib.SMTP(config.host, config.port, timeout=SMTP_TIMEOUT_S) as smtp:
            if config.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if config.user:
                smtp.login(config.user, config.password or "")
            smtp.send_message(message)
    except smtplib.SMTPAuthenticationError as error:
        raise MailError(
            "Le serveur de courriel a refusé l'identifiant ou le mot de passe"
            " (PROXI_SMTP_USER, PROXI_SMTP_PASSWORD)."
        ) from error
    except smtplib.SMTPRecipientsRefused as error:
        raise MailError(f"Le serveur de courriel a refusé l'adresse « {to} ».") from error
    except (smtplib.SMTPException, OSError) as error:
        raise MailError(
            f"Le courriel pour « {to} » n'a pas pu partir : le serveur {config.host}:{config.port}"
            " ne répond pas ou l'a refusé. Réessayez plus tard ou transmettez le lien autrement."
        ) from error


def _message(sender: str, to: str, subject: str, body: str) -> EmailMessage:
    to = (to or "").strip()
    if "@" not in to or any(c in to for c in "\r\n,;"):
        raise MailError(f"Adresse électronique invalide : « {to} ».")
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip("> ") or None)
    message.set_content(body)
    return message


def _flag(text: str | None, default: bool) -> bool:
    if text is None:
        return default
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise MailError(f"PROXI_SMTP_STARTTLS doit valoir 1 ou 0, pas « {text} ».")
