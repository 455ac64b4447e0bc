"""Check rendered HTML the way a browser would read it, not by substring."""

from html.parser import HTMLParser
from urllib.parse import urlsplit

SAFE_SCHEMES = {"", "http", "https", "mailto"}
FORBIDDEN_TAGS = {"script", "style", "iframe", "object", "embed", "svg", "math", "form"}


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{name} handler on <{tag}>")
            if name == "style":
                self.problems.append(f"inline style on <{tag}>")
            if name in {"href", "src", "action", "formaction", "xlink:href"}:
                scheme = urlsplit((value or "").strip()).scheme.lower()
                if scheme not in SAFE_SCHEMES:
                    self.problems.append(f"{name}={value!r} on <{tag}>")


def unsafe_parts(html: str) -> list[str]:
    """What in `html` could run code or restyle the page; empty when it is safe."""
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector.problems
