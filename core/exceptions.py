"""The exceptions more than one app raises; core.api maps each to an HTTP answer.

Services raise these (or Django's ValidationError and PermissionDenied); pages
turn them into form errors, the API into JSON with a status and a code.
"""


class RateLimited(Exception):
    """The reader acts faster than its rate setting allows (posting, voting...)."""

    def __init__(self, retry_after: int, doing: str = "posting") -> None:
        super().__init__(
            f"You are {doing} quickly; please wait {retry_after} seconds and try again."
        )
        self.retry_after = retry_after


class Conflict(Exception):
    """The request conflicts with what is already there (a second flag...)."""


class InvalidCursor(ValueError):
    """A page cursor that this site did not hand out."""
