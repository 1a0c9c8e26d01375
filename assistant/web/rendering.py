"""What the web shell's routes share to answer: pages and partials with their common context, file downloads."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import Request
from fastapi.responses import Response

from assistant.log.auth import ACCOUNT_CHARS, User
from assistant.log.stats import local_time
from assistant.replying import FIELD_CHARS
from assistant.taxonomy import (
    ACCOUNT_LABELS,
    AGREEMENT_LABELS,
    DIMENSION_LABELS,
    FIGURE_LABELS,
    INTENTS,
    OFFLINE_LABEL,
    PLATFORMS,
    REASONS,
    RESULT_LABELS,
)
from assistant.web.deps import csrf_token

NO_STORE = {"Cache-Control": "no-store"}  # pages showing a one-time password or a new API token


def render(
    request: Request,
    name: str,
    context: dict,
    user: User | None,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """Render a page or partial with the signed-in user, labels, the CSRF token and ``local_time`` for stored stamps."""
    tz = request.app.state.settings.tz
    base = {
        "local_time": lambda stamp: local_time(stamp, tz),
        "user": user,
        "csrf": csrf_token(request),
        "intents": INTENTS,
        "offline_label": OFFLINE_LABEL,
        "field_chars": FIELD_CHARS,  # the forms' maxlength, as the server checks them
        "account_chars": ACCOUNT_CHARS,  # the same for the account forms
        "reasons": REASONS,
        "platforms": PLATFORMS,
        "result_labels": RESULT_LABELS,
        "figure_labels": FIGURE_LABELS,
        "dimension_labels": DIMENSION_LABELS,
        "account_labels": ACCOUNT_LABELS,
        "agreement_labels": AGREEMENT_LABELS,
    }
    return request.app.state.templates.TemplateResponse(
        request, name, {**base, **context}, status_code=status_code, headers=headers
    )


def download(content: bytes, media_type: str, filename: str) -> Response:
    """A file to save (``Content-Disposition: attachment``)."""
    return Response(content, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'})
