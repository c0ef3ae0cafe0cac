"""Real servers standing in for the outside world: an SMTP server (aiosmtpd) that keeps what it
receives, and an SMS gateway behind our pluggable SMS backend setting. WeChat's stand-in is
tests.members.wechat_stub."""

import email
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any, ClassVar

from aiosmtpd.controller import Controller

from members.sms import BaseSMSBackend, SMSError


class _Controller(Controller):
    """Listens on a port the system picks (port 0): the readiness probe asks the bound one."""

    def _trigger_server(self) -> None:
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@dataclass
class SMTPServer:
    """An SMTP server on 127.0.0.1; ``received`` holds the parsed messages, ``refuse`` makes it
    answer 451 (try again later) to every recipient."""

    received: list[EmailMessage] = field(default_factory=list)
    envelopes: list[Any] = field(default_factory=list)
    refuse: bool = False
    _controller: _Controller | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if self.refuse:
            return "451 4.3.0 mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        self.envelopes.append(envelope)
        self.received.append(
            email.message_from_bytes(envelope.original_content, policy=default_policy)
        )
        return "250 Message accepted for delivery"

    @property
    def port(self) -> int:
        assert self._controller is not None, "start() the server first"
        return self._controller.port

    def start(self) -> "SMTPServer":
        self._controller = _Controller(self, hostname="127.0.0.1", port=0)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


class GatewaySMSBackend(BaseSMSBackend):
    """An SMS gateway: keeps the texts it accepts in ``sent``; while ``down`` it refuses them as
    a busy gateway does (SMSError)."""

    sent: ClassVar[list[tuple[str, str]]] = []
    down: ClassVar[bool] = False
    _lock = threading.Lock()

    def send(self, phone: str, message: str) -> None:
        if GatewaySMSBackend.down:
            raise SMSError("gateway busy")
        with self._lock:
            GatewaySMSBackend.sent.append((phone, message))
