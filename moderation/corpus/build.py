"""Write toxicity.jsonl from the templates: `python -m moderation.corpus.build`.

Each template is filled a few times from the slots with a generator seeded by
the template's id, so the file is the same on every machine. A quarter of the
templates of every category in templates.py (chosen by a hash of the template
id) are held out: their comments are never used for fitting, only for the
tests and the benchmark. The templates of training_only.py were written after
that split was fixed and only train, so adding them leaves the held-out
comments, and the figures measured on them, as they were.
"""

import hashlib
import json
import random
import re
from pathlib import Path

from .slots import SLOTS
from .templates import ABUSIVE, CIVIL
from .training_only import ABUSIVE_TRAINING, CIVIL_TRAINING

PATH = Path(__file__).with_name("toxicity.jsonl")
FILLS = 4
TRAINING_FILLS = 2  # more templates, fewer fills: the held-out share stays >= 1/5
HELD_OUT_EVERY = 4
# Short replies stay short: no tail sentence is added to them.
NO_TAIL = {"civil_short_reply"}
_SLOT = re.compile(r"\{(\w+)\}")


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _held_out(category: str, count: int) -> set[str]:
    """Every fourth template id of a category, in the order of their hashes."""
    ids = sorted((f"{category}-{i:02d}" for i in range(count)), key=_hash)
    return set(ids[::HELD_OUT_EVERY])


def _fill(template: str, rng: random.Random, *, tail: bool = True) -> str:
    text = _SLOT.sub(lambda m: rng.choice(SLOTS[m.group(1)]), template)
    text = text + rng.choice(SLOTS["tail"]) if tail else text
    return (
        text[0].upper() + text[1:] if text[0].islower() and rng.random() < 0.5 else text
    )


def _templates():
    """(label, category, template id, template, held out?, fills) in corpus order."""
    for label, categories in (("abusive", ABUSIVE), ("civil", CIVIL)):
        for category, templates in categories.items():
            held = _held_out(category, len(templates))
            for i, template in enumerate(templates):
                template_id = f"{category}-{i:02d}"
                fills = FILLS if _SLOT.search(template) else 2
                yield label, category, template_id, template, template_id in held, fills
    for label, categories in (("abusive", ABUSIVE_TRAINING), ("civil", CIVIL_TRAINING)):
        for category, templates in categories.items():
            for i, template in enumerate(templates):
                fills = TRAINING_FILLS if _SLOT.search(template) else 1
                yield label, category, f"{category}-t{i:02d}", template, False, fills


def rows() -> list[dict]:
    out, seen = [], set()
    for label, category, template_id, template, held, fills in _templates():
        rng = random.Random(template_id)  # noqa: S311 - repeatable, not secret
        for _ in range(fills):
            text = _fill(template, rng, tail=category not in NO_TAIL)
            if text.casefold() in seen:
                continue
            seen.add(text.casefold())
            out.append({
                "text": text, "label": label, "category": category,
                "note": f"template {template_id}",
                "template": template_id,
                "split": "held" if held else "train",
            })  # fmt: skip
    return out


def main() -> None:
    with PATH.open("w") as f:
        for row in rows():
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
