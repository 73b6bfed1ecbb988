"""Fill (or add) entries of a .po catalogue from JSON on stdin.

The JSON is either an object {msgid: translation} or a list of {"msgid", "msgstr", "msgctxt"?}
objects (a context tells apart two meanings of one English word). A msgid the catalogue does not
hold yet is appended, so a new string can be translated without re-running `make messages`.
`scripts/compile_messages.py` (run by `make demo` and `make test`) then builds the .mo files.
Also reports what is still untranslated (`--check`).
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
    given = json.load(sys.stdin)
    if isinstance(given, dict):
        given = [{"msgid": msgid, "msgstr": text} for msgid, text in given.items()]
    translations = {(item.get("msgctxt"), item["msgid"]): item["msgstr"] for item in given}
    known = {(entry.msgctxt, entry.msgid) for entry in catalogue}
    for (context, msgid), text in translations.items():
        if (context, msgid) not in known:
            catalogue.append(polib.POEntry(msgctxt=context, msgid=msgid, msgstr=text))
    for entry in catalogue:
        key = (entry.msgctxt, entry.msgid)
        if key not in translations:
            continue
        text = translations[key]
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
