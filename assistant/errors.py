"""The exceptions a user can act on; shells turn them into one-line messages."""


class AssistantError(Exception):
    """Base class for errors shown to users as one line."""


class InvalidInput(AssistantError):
    """The complaint or input file cannot be processed as given."""


class Conflict(InvalidInput):
    """The request contradicts what the log already holds (a key reused for another reply, a judged reply changed)."""


class UnconfirmedReply(InvalidInput):
    """A reply with a severe problem (review inducement, sincerity 0) is logged only when the agent confirms it."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)  # in Chinese, as the sincerity check words them
        super().__init__("the reply has severe problems and was not logged without confirm_send: " + "；".join(self.problems))


class LibraryError(AssistantError):
    """A reply-library file is malformed; names the file and line."""

    def __init__(self, message: str, file: str = "", line: int = 0):
        self.file = file
        self.line = line
        self.message = message
        where = (f"{file}:{line}: " if line else f"{file}: ") if file else ""
        super().__init__(f"{where}{message}")


class NotFound(AssistantError):
    """The requested record does not exist."""


class Forbidden(AssistantError):
    """The user may not do this."""


class Unauthorized(AssistantError):
    """No valid credentials were given."""


class StorageUnavailable(AssistantError):
    """The outcome log cannot be opened or written."""


class LoginRequired(Unauthorized):
    """A page needs a signed-in user; the web app redirects to the login page."""


class PasswordChangeRequired(Forbidden):
    """A page needs a password the person chose; the web app sends one signed in with a handed-out password to 我的账号."""


class RateLimited(AssistantError):
    """Too many attempts; try again later."""
