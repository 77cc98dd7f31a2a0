"""Seed the XBlock's catalogue for a language from the service's, where both have the same string.

The block shows many of the service's own strings: the attempt view it shares with the service,
the level names, labels such as "Meters" or "Save". For each msgid that the service's catalogue
translates (and not as fuzzy), this copies the service's translation into the block's, replacing
what was there, so a learner reads the same words in a course as on the service. The block's
own strings are left alone: they are translated by hand in its text.po. tests/xblock checks that
the shared strings still agree, so run this again after the service's translation of one changes.

Run it from the top of the repository after extracting and updating the block's catalogue, then
translate what it lists as left and compile (docs/openedx.md, "Translations"):

    python xblocks/seed_translations.py fr
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
BLOCK_TRANSLATIONS = ROOT / "xblocks" / "cxtrain_xblock" / "translations"
SERVICE_TRANSLATIONS = ROOT / "cxtrain" / "web" / "translations"


def block_catalogue(language: str) -> Path:
    return BLOCK_TRANSLATIONS / language / "LC_MESSAGES" / "text.po"


def service_catalogue(language: str) -> Path:
    return SERVICE_TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"


def _read(path: Path) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh)


def _translated(string: str | tuple[str, ...] | list[str] | None) -> bool:
    parts = [string] if isinstance(string, str) or string is None else list(string)
    return all(parts)


def seed(block: Catalog, service: Catalog) -> tuple[list[str], list[str]]:
    """Copy the service's translations into ``block`` for the msgids both have.

    Returns the msgids taken from the service and those of ``block`` still untranslated.
    """
    taken: list[str] = []
    for message in block:
        if not message.id:
            continue
        theirs = service.get(message.id)
        if theirs is None or theirs.fuzzy or not _translated(theirs.string):
            continue
        message.string = theirs.string
        message.flags.discard("fuzzy")
        taken.append(str(message.id))
    left = [str(m.id) for m in block if m.id and (m.fuzzy or not _translated(m.string))]
    return taken, left


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("language", help="a language both catalogues have, e.g. fr")
    args = parser.parse_args(argv)
    target = block_catalogue(args.language)
    source = service_catalogue(args.language)
    for path in (target, source):
        if not path.is_file():
            print(f"no catalogue at {path.relative_to(ROOT)}", file=sys.stderr)
            return 2
    block = _read(target)
    taken, left = seed(block, _read(source))
    # The same layout as `pybabel update` writes, so a seed after an update changes only msgstrs.
    with target.open("wb") as fh:
        write_po(fh, block, width=76)
    print(f"{target.relative_to(ROOT)}: {len(taken)} translations taken from the service's catalogue")
    if left:
        print(f"{len(left)} left to translate by hand:")
        for msgid in left:
            print(f"  {msgid!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
