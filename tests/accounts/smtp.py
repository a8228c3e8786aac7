"""A real SMTP server for tests (aiosmtpd on a free local port) that keeps what it receives."""

import email
import email.policy
import re
import socket

import pytest
from aiosmtpd.controller import Controller


class Inbox:
    """aiosmtpd handler: each message received, parsed, in ``messages``."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def links(self, index=-1):
        """The http(s) links in the text of message ``index``."""
        text = self.messages[index].get_body(preferencelist=("plain",)).get_content()
        return re.findall(r"https?://\S+", text)


@pytest.fixture
def smtp_inbox(settings):
    """Start an SMTP server on 127.0.0.1 and point Django's SMTP backend at it."""
    inbox = Inbox()
    with socket.socket() as probe:  # a port free right now
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield inbox
    controller.stop()
