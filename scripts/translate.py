"""Fill msgstr entries of a .po catalogue from a JSON object {msgid: translation} on stdin.

Used after `make messages`: write the Chinese for the new English strings, pipe them in, then
`manage.py compilemessages`. Also reports what is still untranslated (`--check`).
"""

import argparse
import json
import sys

import polib


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("po_file")
    parser.add_argument(
        "--check", action="store_true", help="list untranslated or fuzzy entries; exit 1 if any"
    )
    args = parser.parse_args()
    catalogue = polib.pofile(args.po_file)
    if args.check:
        missing = [
            e.msgid for e in catalogue if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)
        ]
        for msgid in missing:
            print(msgid)
        return 1 if missing else 0
    translations = json.load(sys.stdin)
    for entry in catalogue:
        if entry.msgid not in translations:
            continue
        text = translations[entry.msgid]
        if entry.msgid_plural:
            entry.msgstr_plural = {0: text}
        else:
            entry.msgstr = text
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    catalogue.save()
    return 0


if __name__ == "__main__":
    sys.exit(main())
