"""Email the site sends: rendered from templates in the recipient's language, sent by the task worker after the
transaction commits, and tried again when the provider fails."""

import base64
import datetime as dt
import logging
from email.mime.application import MIMEApplication
from email.mime.image import MIMEImage

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django_tasks import task

logger = logging.getLogger(__name__)

RETRY_DELAYS = [dt.timedelta(minutes=minutes) for minutes in (1, 5, 30, 120, 480)]


def attachment(filename, content, mimetype, *, content_id=None):
    """A file for `render_email(..., attachments=[...])`, kept as text so the task queue can store it. With a
    `content_id` it is an inline image the HTML shows as <img src="cid:…">."""
    item = {"filename": filename, "content": base64.b64encode(content).decode("ascii"), "mimetype": mimetype}
    if content_id:
        item["content_id"] = content_id
    return item


def _mime_part(item):
    content = base64.b64decode(item["content"])
    if not item.get("content_id"):
        return (item["filename"], content, item["mimetype"])
    maintype, subtype = item["mimetype"].split("/", 1)
    part = MIMEImage(content, _subtype=subtype) if maintype == "image" else MIMEApplication(content, subtype)
    part.add_header("Content-ID", f"<{item['content_id']}>")
    part.add_header("Content-Disposition", "inline", filename=item["filename"])
    return part


def render_email(template, context, *, to, language, reply_to=(), attachments=()):
    """The message `template` makes: `<template>_subject.txt`, `<template>.txt` and `<template>.html`."""
    with translation.override(language):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        return {
            "subject": subject,
            "body": render_to_string(f"{template}.txt", context),
            "html": render_to_string(f"{template}.html", context),
            "to": list(to),
            "reply_to": list(reply_to),
            "attachments": list(attachments),
        }


def send_after_commit(message):
    """Queues `message` for the task worker once the current transaction commits (never if it rolls back)."""
    transaction.on_commit(lambda: send_email.enqueue(message))


@task()
def send_email(message, attempt=1):
    """Sends `message` (a dict from `render_email`); when the provider fails, queues it again later, up to
    len(RETRY_DELAYS) more times, and only then gives up with an error in the log."""
    email = EmailMultiAlternatives(
        subject=message["subject"],
        body=message["body"],
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=message["to"],
        reply_to=message.get("reply_to") or None,
    )
    if message.get("html"):
        email.attach_alternative(message["html"], "text/html")
    for item in message.get("attachments") or ():
        part = _mime_part(item)
        if isinstance(part, tuple):
            email.attach(*part)
        else:
            email.attach(part)
    try:
        email.send()
    except Exception:  # anymail's errors, SMTP and network errors alike: all worth another try
        if attempt > len(RETRY_DELAYS):
            logger.exception("Email not sent, giving up", extra={"subject": message["subject"], "attempt": attempt})
            raise
        logger.warning("Email not sent, will retry", exc_info=True, extra={"attempt": attempt})
        retry = send_email
        if send_email.get_backend().supports_defer:
            retry = send_email.using(run_after=timezone.now() + RETRY_DELAYS[attempt - 1])
        retry.enqueue(message, attempt + 1)
