"""Reading an export file element by element, refusing what could hurt.

An export can be large and comes from elsewhere, so it is read as a stream
(each finished element is handed over, then dropped, so memory stays flat
however long the file) with everything that reaches outside the file turned
off: no DTD, no entity expansion, no network, no huge-tree mode. WordPress and
Disqus exports never carry a DTD, so a file that declares one is refused
before anything is read from it.
"""

from collections.abc import Callable, Iterator
from pathlib import Path

from lxml import etree

CHUNK = 1 << 16


class BadFile(Exception):
    """The file cannot be imported; the message names the problem and the line."""

    def __init__(self, problem: str, line: int | None) -> None:
        self.problem, self.line = problem, line
        super().__init__(f"line {line}: {problem}" if line else problem)

    def __reduce__(self):
        # Rebuilt from its two parts when it comes from the reading process.
        return BadFile, (self.problem, self.line)


def local_name(tag: str) -> str:
    return tag.rpartition("}")[2]


# The parser never reaches outside the file: no DTD, entities or network.
_SAFE = {
    "resolve_entities": False,
    "no_network": True,
    "huge_tree": False,
    "load_dtd": False,
    "remove_comments": True,
    "remove_pis": True,
}


def stream(
    path: Path,
    level: int,
    *,
    on_read: Callable[[int], None] | None = None,
    tags: tuple[str, ...] = (),
) -> Iterator[etree._Element]:
    """Yield each element at depth `level` (the root is 1) once it is complete;
    with `tags` (lxml's "{*}name" filters), only those, never seeing the rest.

    Its children are whole; once the consumer is done with it, it and everything
    before it are freed. `on_read` hears how many bytes were read, for progress.
    """
    if tags:
        yield from _tagged(path, level, on_read, tags)
        return
    with path.open("rb") as raw:
        events = etree.iterparse(
            _Counting(raw, on_read), events=("start", "end"), **_SAFE
        )
        depth = 0
        try:
            for event, element in events:
                if event == "start":
                    if depth == 0:
                        _refuse_dtd(element, path)
                    depth += 1
                    continue
                if depth == level:
                    yield element
                if depth <= level:
                    _free(element)
                depth -= 1
        except etree.XMLSyntaxError as error:
            raise _syntax_problem(error, events) from None


def check(path: Path) -> None:
    """Read the whole file, keeping nothing, and raise BadFile for a file that
    declares a DTD or is not well-formed XML."""
    _check_prolog(path)
    # A parser target with no callbacks: libxml2 reads the file without
    # building an element or calling back into Python.
    parser = etree.XMLParser(target=_Nothing(), **_SAFE)
    with path.open("rb") as raw:
        try:
            while data := raw.read(CHUNK):
                parser.feed(data)
            parser.close()
        except etree.XMLSyntaxError as error:
            raise _syntax_problem(error, error) from None


class _Nothing:
    def close(self) -> None:
        return None


def _tagged(path: Path, level: int, on_read, tags: tuple[str, ...]):
    # The parser filters the elements, so the rest never reach Python: an
    # element at `level` that is not asked for is freed with the next one that is.
    _check_prolog(path)
    with path.open("rb") as raw:
        events = etree.iterparse(_Counting(raw, on_read), tag=tags, **_SAFE)
        try:
            for _, element in events:
                if sum(1 for _ in element.iterancestors()) == level - 1:
                    yield element
                    _free(element)
        except etree.XMLSyntaxError as error:
            raise _syntax_problem(error, events) from None


def _check_prolog(path: Path) -> None:
    """Refuse a file that declares a DTD, reading no further than its root."""
    with path.open("rb") as raw:
        events = etree.iterparse(raw, events=("start",), **_SAFE)
        try:
            for _, root in events:
                _refuse_dtd(root, path)
                return
        except etree.XMLSyntaxError as error:
            raise _syntax_problem(error, events) from None


class _Counting:
    """A file that says how much has been read."""

    def __init__(self, raw, on_read) -> None:
        self.raw, self.on_read = raw, on_read

    def read(self, size: int = CHUNK) -> bytes:
        data = self.raw.read(min(size, CHUNK) if size and size > 0 else CHUNK)
        if self.on_read is not None and data:
            self.on_read(len(data))
        return data


def _free(element) -> None:
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _refuse_dtd(element, path: Path) -> None:
    info = element.getroottree().docinfo
    if info.internalDTD is None and not info.system_url and not info.public_id:
        return
    raise BadFile(
        "the file declares a DTD (<!DOCTYPE …>), which exports never do; "
        "refused because it could expand entities or reach outside the file",
        _doctype_line(path, element.sourceline),
    )


def _doctype_line(path: Path, before: int | None) -> int | None:
    with path.open("rb") as raw:
        for number, line in enumerate(raw, 1):
            if b"<!DOCTYPE" in line.upper():
                return number
            if before is not None and number >= before:
                break
    return before


def _syntax_problem(error: etree.XMLSyntaxError, logged) -> BadFile:
    # `logged`: the parse (or the error itself) whose error_log says where.
    last = logged.error_log.last_error
    if last is not None and last.line:
        message, line = last.message, last.line
    else:
        message, line = error.msg, error.lineno
    if message == "no element found" and not line:
        message = "the file holds no XML"
    message = message.removesuffix(".").strip()
    if "Premature end of data" in message or "EndTag" in message:
        message = f"the file ends too soon, as if cut short: {message}"
    return BadFile(f"the file is not well-formed XML: {message}", line or None)
