"""Mail: settings from the environment, and a message that reaches a real SMTP server."""

from __future__ import annotations

import socket

import pytest

from proxi.mail import MailConfig, MailError, mail_config, send_mail


def test_no_host_means_no_mail():
    assert mail_config({}) is None
    assert mail_config({"PROXI_SMTP_FROM": "formation@bailleur.fr"}) is None


def test_settings_are_read_with_sensible_defaults():
    plain = mail_config({"PROXI_SMTP_HOST": "smtp.local", "PROXI_SMTP_FROM": "f@bailleur.fr"})
    assert plain == MailConfig("smtp.local", 25, "f@bailleur.fr", None, None, False)
    with_login = mail_config(
        {
            "PROXI_SMTP_HOST": "smtp.local",
            "PROXI_SMTP_FROM": "f@bailleur.fr",
            "PROXI_SMTP_USER": "proxi",
            "PROXI_SMTP_PASSWORD": "s3cret",
        }
    )
    # A login without an explicit choice goes over STARTTLS: no password in clear.
    assert with_login == MailConfig("smtp.local", 587, "f@bailleur.fr", "proxi", "s3cret", True)


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        ({"PROXI_SMTP_FROM": ""}, "PROXI_SMTP_FROM"),
        ({"PROXI_SMTP_PORT": "vingt-cinq"}, "PROXI_SMTP_PORT"),
        ({"PROXI_SMTP_STARTTLS": "peut-être"}, "PROXI_SMTP_STARTTLS"),
    ],
)
def test_wrong_settings_say_which_variable(extra, words):
    environ = {"PROXI_SMTP_HOST": "smtp.local", "PROXI_SMTP_FROM": "f@bailleur.fr", **extra}
    with pytest.raises(MailError, match=words):
        mail_config(environ)


def test_a_message_reaches_the_server(smtp_server):
    config = mail_config(smtp_server.environ())
    send_mail(config, "karim.haddad@example.org", "Votre invitation", "Bonjour Karim,\nà bientôt.")
    [received] = smtp_server.messages
    assert received["To"] == "karim.haddad@example.org"
    assert received["From"] == "formation@proxi.test"
    assert received["Subject"] == "Votre invitation"
    assert "à bientôt." in received.get_content()


def test_a_bad_address_is_refused_before_sending(smtp_server):
    for address in ("karim", "a@b.fr\r\nBcc: x@y.fr", "a@b.fr, c@d.fr"):
        with pytest.raises(MailError, match="Adresse électronique invalide"):
            send_mail(smtp_server.config(), address, "Sujet", "Texte")
    assert smtp_server.messages == []


def test_an_unreachable_server_gives_a_french_message():
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = MailConfig("127.0.0.1", port, "formation@proxi.test")
    with pytest.raises(MailError, match="n'a pas pu partir"):
        send_mail(config, "karim@example.org", "Sujet", "Texte")
