"""The events accounts sends to the apps above it, which own a reader's other data.

Accounts sits below every app that stores something about a reader, so it asks
them through these signals; each app's receivers (connected from its
AppConfig.ready()) handle what that app owns.

`account_exporting(sender=User, user: User) -> dict[str, list[dict]]`
    Sent while the reader's data is gathered for their export. Each receiver
    returns the sections its app holds, by name (`{"comments": [...]}`), as
    plain JSON-ready rows, reading in a fixed number of queries whatever their
    number. Accounts adds `profile` and `tokens` itself.

`account_erasing(sender=User, user: User, erased_by: User)`
    Sent inside the transaction that erases an account, once the account row is
    anonymised (its pk stays, its names and address are gone). Each receiver
    erases or unlinks what its app holds of the reader; `erased_by` is the
    reader themselves or the administrator who erased them. A receiver that
    raises rolls the whole erasure back.

`public_name_changed(sender=User, user_id: int)`
    Sent after the transaction that changed the name a reader shows beside what
    they wrote (their display name, or the username standing in for it) has
    committed. Each receiver refreshes what its app shows under that name (the
    cached discussions they wrote in). Not sent for an erasure, whose
    `account_erasing` receivers already handle everything of the reader's.

`addresses_expiring(sender=User, before: datetime) -> int`
    Sent by the beat task that enforces `PRIVACY_ADDRESS_DAYS`: each receiver
    erases the client addresses (or their hashes) its app stored before
    `before` and returns how many rows it cleared.
"""

from django.dispatch import Signal

account_exporting = Signal()
account_erasing = Signal()
addresses_expiring = Signal()
public_name_changed = Signal()
