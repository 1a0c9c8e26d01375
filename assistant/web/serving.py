"""What stands between the socket and the app: ASGI middleware (security headers, body limits, the worker's
name) and the options ``assistant serve`` runs uvicorn with."""

from __future__ import annotations

import os
import socket
import sys

from uvicorn.protocols.http.h11_impl import H11Protocol

from assistant.errors import InvalidInput


class WorkerHeader:
    """Name the answering process in ``X-Assistant-Worker`` (the ``worker_header`` setting, for tests of several workers)."""

    def __init__(self, app):
        self.app, self.pid = app, str(os.getpid()).encode()

    async def __call__(self, scope, receive, send):
        async def send_with_pid(message):
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"x-assistant-worker", self.pid)]
            await send(message)

        await self.app(scope, receive, send_with_pid if scope["type"] == "http" else send)


# Scripts only from this origin (the vendored htmx and web/static/app.js): no inline script, no eval, no inline
# style (htmx's indicator style is off in base.html's htmx-config; app.css has it). Nothing may frame the pages.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
# FastAPI's /docs and /redoc pages load Swagger UI / ReDoc from a CDN and start them with an inline script.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "font-src https://fonts.gstatic.com; img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly; "
    "worker-src blob:; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
DOCS_PATHS = ("/docs", "/docs/oauth2-redirect", "/redoc")


class SecurityHeaders:
    """Security headers on every response (ASGI middleware): CSP, no framing, nosniff, Referrer-Policy, no-store.

    Pages and API answers carry complaints, replies and, once, a new password and token: none is stored by a
    browser or proxy cache (``Cache-Control: no-store``); static files keep the caching they set. Behind HTTPS,
    ``Strict-Transport-Security`` too.
    """

    def __init__(self, app, https: bool = False):
        self.app, self.https = app, https

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope["path"]
        csp = DOCS_CSP if path in DOCS_PATHS else CSP
        cacheable = path.startswith("/static/") or path == "/favicon.ico"

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if cacheable or k.lower() != b"cache-control"]
                headers += [
                    (b"content-security-policy", csp.encode()),
                    (b"x-frame-options", b"DENY"),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"),
                ]
                if not cacheable:
                    headers.append((b"cache-control", b"no-store"))
                if self.https:
                    headers.append((b"strict-transport-security", b"max-age=31536000"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimit:
    """Refuse request bodies over the limit with 413 before reading them (ASGI middleware).

    Uploads of outcome CSVs, 我的回复's sheets and backlogs (``LARGE``) get a
    larger limit. Bodies without Content-Length are counted as they stream in.
    """

    LARGE = ("/api/v1/outcomes/import", "/replies/import", "/triage")

    def __init__(self, app, default: int, import_limit: int):
        self.app, self.default, self.import_limit = app, default, import_limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self.import_limit if scope["path"] in self.LARGE else self.default
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            return await _too_large(limit, send, scope["path"])
        seen, rejected = 0, False

        async def counting_receive():
            nonlocal seen, rejected
            message = await receive()
            if message["type"] == "http.request" and not rejected:
                seen += len(message.get("body", b""))
                if seen > limit:
                    # Answer 413 now and tell the app the client left; whatever it sends later is dropped.
                    rejected = True
                    await _too_large(limit, send, scope["path"])
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message):
            if not rejected:
                await send(message)

        await self.app(scope, counting_receive, guarded_send)


async def _too_large(limit: int, send, path: str = "/api/") -> None:
    """413: JSON for the API, a short Chinese page for the pages: an upload (a sheet, a backlog) is asked to come in
    parts; any other form (a reply on 写回复, an account) to be cut down."""
    if path.startswith("/api/"):
        body, media = f'{{"detail": "request body is larger than {limit} bytes"}}'.encode(), b"application/json"
    else:
        size = f"{limit / 1048576:.0f} MB" if limit >= 1048576 else f"{limit // 1024} KB"
        title, advice = ("文件太大", "请分批上传。") if path in BodyLimit.LARGE else ("内容太长", "请返回上一页删减后再提交。")
        text = f"<!doctype html><meta charset=utf-8><title>{title}</title><p>提交的内容超过了 {size} 的上限，没有收下。{advice}"
        body, media = (text + "</p>").encode(), b"text/html; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", media), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


# How `assistant serve` runs uvicorn. A reverse proxy in front (the deployment notes in docs/) shields the service from
# slow clients; these bound what reaches it directly: a request's headers must arrive within HEADER_TIMEOUT seconds
# (800 connections trickling headers were all held open), in at most 16 KiB, an idle connection is closed after 5 s,
# and beyond LIMIT_CONCURRENCY connections or requests at once uvicorn answers 503 instead of queueing without end.
HEADER_TIMEOUT = 10.0
LIMIT_CONCURRENCY = 200


class HeaderDeadlineH11(H11Protocol):
    """uvicorn's HTTP/1.1 protocol with a deadline for a new connection's first request headers (slowloris)."""

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._deadline = self.loop.call_later(HEADER_TIMEOUT, self._headers_late)

    def _headers_late(self) -> None:
        if self.cycle is None and not self.transport.is_closing():
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self._deadline.cancel()
        super().connection_lost(exc)


def uvicorn_options() -> dict:
    """The keyword arguments `assistant serve` gives ``uvicorn.run`` beside the app, host and port.

    Also shortens the interpreter's thread switch interval (5 ms to 1 ms): the event loop waits for the GIL
    behind the thread pool's CPU-bound suggestions, and /healthz waited up to 45 ms per switch under load.
    """
    sys.setswitchinterval(0.001)
    return {
        "http": HeaderDeadlineH11,
        "timeout_keep_alive": 5,
        "h11_max_incomplete_event_size": 16 * 1024,
        "limit_concurrency": LIMIT_CONCURRENCY,
    }


def check_address(host: str, port: int) -> None:
    """Bind ``host:port`` once and let go, so `assistant serve` says in one line why it cannot serve there (a mistyped
    address, a port already in use) before it creates the log or prints 「Serving on…」.

    :raises InvalidInput: naming the address and the reason
    """
    try:
        family, kind, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except (socket.gaierror, UnicodeError):
        raise InvalidInput(f"cannot serve on {host}: not an address or a host name that resolves") from None
    with socket.socket(family, kind) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind(address)
        except OSError as e:
            raise InvalidInput(f"cannot serve on {host}:{port}: {e.strerror}") from None
