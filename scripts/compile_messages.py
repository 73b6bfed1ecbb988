"""Compile every .po catalogue of the project into its .mo (polib: no GNU gettext needed).

The .mo files are build output, not committed: `make demo` and `make test` run this first, so a
catalogue edited on two branches merges as text (.gitattributes: union) and never as a binary.
"""

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
SKIP = {".venv", ".git", "node_modules", "staticfiles"}


def catalogues() -> list[Path]:
    return sorted(
        po for po in ROOT.rglob("LC_MESSAGES/*.po") if not SKIP.intersection(po.relative_to(ROOT).parts)
    )


def main() -> int:
    for po in catalogues():
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        polib.pofile(str(po)).save_as_mofile(str(mo))
        print(f"compiled {mo.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
