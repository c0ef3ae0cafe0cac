"""A real HTTP server standing in for WeChat's API (api.weixin.qq.com), for tests.

It listens on 127.0.0.1 on a free port, records every request it gets, and answers from routes:
``/sns/jscode2session`` out of the box (the answer is chosen by the ``js_code``), more with
``route()``; ``SubscribeAPI`` adds ``/cgi-bin/token`` and the subscribe-message send.
The code under test makes its real HTTP call; only the far end is ours.
"""

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

SESSION_KEY = "SECRET-SK-never-shown"


@dataclass
class StubRequest:
    method: str
    path: str
    query: dict[str, str]
    body: bytes = b""

    def json(self) -> Any:
        return json.loads(self.body)


# A route answers (status, JSON body) for a request.
Route = Callable[[StubRequest], tuple[int, Any]]


def jscode2session(request: StubRequest) -> tuple[int, Any]:
    """``good-<n>``: user n (openid ``o-<n>``, unionid ``u-<n>``); ``nounion-<n>``: user n
    without a unionid; ``bad`` 40029, ``used`` 40163, ``limit`` 45011, ``busy`` -1; ``garbage``
    not JSON; ``http500`` a 500 page; ``list`` a JSON array; ``slow`` sleeps 2 s first."""
    code = request.query.get("js_code", "")
    kind, _, n = code.partition("-")
    if kind == "good":
        return 200, {"openid": f"o-{n}", "session_key": SESSION_KEY, "unionid": f"u-{n}"}
    if kind == "nounion":
        return 200, {"openid": f"o-{n}", "session_key": SESSION_KEY}
    errors = {"bad": 40029, "used": 40163, "limit": 45011, "busy": -1}
    if kind in errors:
        return 200, {"errcode": errors[kind], "errmsg": f"{kind} rid: 1234"}
    if kind == "garbage":
        return 200, "<html>not json</html>"
    if kind == "http500":
        return 500, "<html>Internal Server Error</html>"
    if kind == "list":
        return 200, ["openid", "o-1"]
    if kind == "slow":
        time.sleep(2)
        return 200, {"openid": "o-slow", "session_key": SESSION_KEY}
    return 200, {"errcode": 40029, "errmsg": "invalid code"}


@dataclass
class WeChatStub:
    routes: dict[str, Route] = field(
        default_factory=lambda: {"/sns/jscode2session": jscode2session}
    )
    requests: list[StubRequest] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the stub first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def route(self, path: str, answer: Route) -> None:
        self.routes[path] = answer

    def calls(self, path: str) -> list[StubRequest]:
        return [r for r in self.requests if r.path == path]

    def start(self) -> "WeChatStub":
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                url = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                request = StubRequest(
                    method=self.command,
                    path=url.path,
                    query={k: v[0] for k, v in parse_qs(url.query).items()},
                    body=self.rfile.read(length) if length else b"",
                )
                stub.requests.append(request)
                answer = stub.routes.get(url.path)
                status, body = answer(request) if answer else (404, {"errcode": 404})
                raw = body.encode() if isinstance(body, str) else json.dumps(body).encode()
                try:
                    self.send_response(status)
                    # WeChat really sends JSON as text/plain.
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", str(len(raw)))
                    self.end_headers()
                    self.wfile.write(raw)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (the timeout tests)

            do_GET = do_POST = _answer

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


# --- Access token and subscribe messages (notifications) ----------------------------------------

TOKEN_PATH = "/cgi-bin/token"
SUBSCRIBE_SEND_PATH = "/cgi-bin/message/subscribe/send"
THING_MAX = 20
ERRMSG = {
    0: "ok",
    -1: "system error",
    43101: "user refuse to accept the msg",
    47003: "argument invalid! data.thing1.value invalid",
}


@dataclass
class SubscribeAPI:
    """``/cgi-bin/token`` and ``/cgi-bin/message/subscribe/send`` as WeChat answers them, added to
    a stub with ``install()``.

    Tokens are ``token-1``, ``token-2``, ... and only the latest one works; ``expire()`` ends it
    (the next send answers 42001, as WeChat does). A send checks the payload as WeChat does (a
    ``thing`` value of at most 20 characters, no empty value: 47003), then answers the next of
    ``answers``: an errcode, or ``"slow"`` (no answer within a second); none left is success.
    """

    appid: str
    secret: str
    answers: list[int | str] = field(default_factory=list)
    issued: int = 0
    valid: str | None = None
    stub: WeChatStub | None = None

    def install(self, stub: WeChatStub) -> "SubscribeAPI":
        self.stub = stub
        stub.route(TOKEN_PATH, self.token)
        stub.route(SUBSCRIBE_SEND_PATH, self.send)
        return self

    def expire(self) -> None:
        self.valid = None

    def sends(self) -> list[StubRequest]:
        assert self.stub is not None
        return self.stub.calls(SUBSCRIBE_SEND_PATH)

    def token_calls(self) -> list[StubRequest]:
        assert self.stub is not None
        return self.stub.calls(TOKEN_PATH)

    def token(self, request: StubRequest) -> tuple[int, Any]:
        query = request.query
        if query.get("grant_type") != "client_credential":
            return 200, {"errcode": 40002, "errmsg": "invalid grant_type"}
        if query.get("appid") != self.appid or query.get("secret") != self.secret:
            return 200, {"errcode": 40125, "errmsg": "invalid appsecret"}
        self.issued += 1
        self.valid = f"token-{self.issued}"
        return 200, {"access_token": self.valid, "expires_in": 7200}

    def send(self, request: StubRequest) -> tuple[int, Any]:
        if self.valid is None or request.query.get("access_token") != self.valid:
            return 200, {"errcode": 42001, "errmsg": "access_token expired"}
        payload = request.json()
        for key, value in payload.get("data", {}).items():
            text = value.get("value", "")
            if not text or (key.startswith("thing") and len(text) > THING_MAX):
                return 200, {"errcode": 47003, "errmsg": f"argument invalid! data.{key}.value"}
        answer = self.answers.pop(0) if self.answers else 0
        if answer == "slow":
            time.sleep(1)
            answer = 0
        return 200, {"errcode": answer, "errmsg": ERRMSG.get(answer, "error")}
