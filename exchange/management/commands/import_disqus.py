"""Import the comments of a Disqus XML export."""

from exchange.disqus import DisqusReader

from ._importing import ImportCommand


class Command(ImportCommand):
    help = (
        "Import every post of a Disqus export with its thread, author, date and "
        "status; a second run adds nothing."
    )

    def reader(self, path, options) -> DisqusReader:
        return DisqusReader(path)
