"""PostgreSQL as Django's own backend has it, with a health check that costs no
round trip while the connection is in use.

With CONN_HEALTH_CHECKS, Django asks every kept connection `SELECT 1` before
the first query of each request: a round trip as dear as the query a signed-in
page needs. Here a connection whose last request used it without an error, no
more than HEALTHY_SECONDS ago, is taken as alive; one idle for longer is asked
as before. The price is that a database restarted within that second fails one
request per process (the connection is then dropped), where the check would
have reconnected first: a server busy enough to gain is one whose connections
are never idle for a second anyway.
"""

import time

from django.db.backends.postgresql import base

HEALTHY_SECONDS = 1.0


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._used = False
        self._answered_at = float("-inf")

    def create_cursor(self, name=None):
        self._used = True
        return super().create_cursor(name)

    def close_if_unusable_or_obsolete(self) -> None:
        # Django calls this as each request starts and ends.
        if self.connection is not None and self._used and not self.errors_occurred:
            self._answered_at = time.monotonic()
        self._used = False
        super().close_if_unusable_or_obsolete()
        if (
            self.connection is not None
            and not getattr(self.connection, "broken", False)
            and time.monotonic() - self._answered_at < HEALTHY_SECONDS
        ):
            self.health_check_done = True

    def connect(self) -> None:
        super().connect()
        self._answered_at = float("-inf")
