from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # The token cache's revocation receivers must be connected in every
        # process, whatever it imports first.
        from . import auth  # noqa: F401
