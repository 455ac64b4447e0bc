"""Write toxicity.jsonl from the templates: `python -m moderation.corpus.build`.

Each template is filled a few times from the slots with a generator seeded by
the template's id, so the file is the same on every machine. A quarter of the
templates of every category (chosen by a hash of the template id) are held
out: their comments are never used for fitting, only for the tests and the
benchmark.
"""

import hashlib
import json
import random
import re
from pathlib import Path

from .slots import SLOTS
from .templates import ABUSIVE, CIVIL

PATH = Path(__file__).with_name("toxicity.jsonl")
FILLS = 4
HELD_OUT_EVERY = 4
_SLOT = re.compile(r"\{(\w+)\}")


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _held_out(category: str, count: int) -> set[str]:
    """Every fourth template id of a category, in the order of their hashes."""
    ids = sorted((f"{category}-{i:02d}" for i in range(count)), key=_hash)
    return set(ids[::HELD_OUT_EVERY])


def _fill(template: str, rng: random.Random) -> str:
    text = _SLOT.sub(lambda m: rng.choice(SLOTS[m.group(1)]), template)
    text = text + rng.choice(SLOTS["tail"])
    return (
        text[0].upper() + text[1:] if text[0].islower() and rng.random() < 0.5 else text
    )


def rows() -> list[dict]:
    out, seen = [], set()
    for label, categories in (("abusive", ABUSIVE), ("civil", CIVIL)):
        for category, templates in categories.items():
            held = _held_out(category, len(templates))
            for i, template in enumerate(templates):
                template_id = f"{category}-{i:02d}"
                rng = random.Random(template_id)  # noqa: S311 - repeatable, not secret
                fills = FILLS if _SLOT.search(template) else 2
                for _ in range(fills):
                    text = _fill(template, rng)
                    if text.casefold() in seen:
                        continue
                    seen.add(text.casefold())
                    out.append({
                        "text": text, "label": label, "category": category,
                        "note": f"template {template_id}",
                        "template": template_id,
                        "split": "held" if template_id in held else "train",
                    })  # fmt: skip
    return out


def main() -> None:
    with PATH.open("w") as f:
        for row in rows():
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
