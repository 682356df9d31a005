"""Email: rendered from templates in the recipient's language; sent by SMTP, or written to var/outbox/.

Without REASSESS_SMTP_HOST every message is written as an .eml file to the outbox folder and the
caller shows the link on screen, so that a lead can copy it.
"""

from __future__ import annotations

import datetime as dt
import re
import smtplib
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

from app import i18n
from app.config import Settings
from app.web.templating import env


def render_mail(name: str, language: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """(subject, text, html) of mail/<name>.{txt,html} in ``language``."""
    with i18n.locale(language):
        text = env.get_template(f"mail/{name}.txt").render(lang=language, **context)
        html = env.get_template(f"mail/{name}.html").render(lang=language, **context)
    subject, _, body = text.partition("\n\n")
    return subject.removeprefix("Subject: ").strip(), body.strip() + "\n", html


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def header(value: str) -> str:
    """A header's value on one line: control characters and line breaks (an organization name stored before they were
    refused, say) become one space, so that they can neither add a header nor make the message fail to build."""
    return " ".join(_CONTROL.sub(" ", value).split())


def send(settings: Settings, to: str, subject: str, text: str, html: str) -> Path | None:
    """Send one message; returns the .eml path when it was written to the outbox instead."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = header(settings.mail_from), header(to), header(subject)
    message["Message-ID"] = make_msgid(domain="reassess")
    message["Date"] = dt.datetime.now(dt.UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    if not settings.smtp_host:
        outbox = settings.outbox_dir
        outbox.mkdir(parents=True, exist_ok=True)
        safe = re.sub(r"[^a-z0-9]+", "-", to.lower())[:60]
        path = outbox / f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S%f}-{safe}.eml"
        path.write_bytes(bytes(message))
        return path
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=20) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
        smtp.send_message(message)
    return None
