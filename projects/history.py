"""A project's revision history as people read it: field labels and a word-level diff of each change."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from projects.models import BranchProject, ProjectRevision

# Latin words and numbers stay whole; Chinese compares character by character.
_TOKENS = re.compile(r"[A-Za-z0-9_.\-]+|\s+|.", re.DOTALL)


@dataclass(frozen=True)
class Segment:
    kind: str  # "same", "removed" or "added"
    text: str


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str
    segments: list[Segment]
    material: bool


def diff_segments(old: str, new: str) -> list[Segment]:
    old_tokens, new_tokens = _TOKENS.findall(old or ""), _TOKENS.findall(new or "")
    segments: list[Segment] = []
    matcher = difflib.SequenceMatcher(a=old_tokens, b=new_tokens, autojunk=False)
    for tag, a_start, a_end, b_start, b_end in matcher.get_opcodes():
        if tag == "equal":
            segments.append(Segment("same", "".join(old_tokens[a_start:a_end])))
            continue
        if a_end > a_start:
            segments.append(Segment("removed", "".join(old_tokens[a_start:a_end])))
        if b_end > b_start:
            segments.append(Segment("added", "".join(new_tokens[b_start:b_end])))
    return segments


def readable_changes(revision: ProjectRevision) -> list[FieldChange]:
    meta = BranchProject._meta
    return [
        FieldChange(
            label=str(meta.get_field(change["field"]).verbose_name),
            old=change["old"],
            new=change["new"],
            segments=diff_segments(change["old"], change["new"]),
            material=change["field"] in BranchProject.MATERIAL_FIELDS,
        )
        for change in revision.changes
    ]
