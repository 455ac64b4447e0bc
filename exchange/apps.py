from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    """Comments in and out: WordPress and Disqus imports, WXR and JSON exports."""

    name = "exchange"
    verbose_name = "Import and export"
