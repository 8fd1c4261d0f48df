"""What we know about a take before it becomes clips: its labels and where it came from.

``Labels`` is the only input the caption writer sees, so every source (Bandai-Namco, CMU,
ReActIdle, a user's folder, the synthetic generator) reduces what it knows to one of these.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..motion import Motion


@dataclass(frozen=True)
class Labels:
    """Labels of one take.

    ``content``/``style`` are Bandai-Namco-style tags (e.g. "walk-turn-left", "chimpira") or the
    synthetic generator's action names; ``description`` is a free-text CMU trial description;
    ``captions`` are sentences a user wrote (used verbatim); ``idle`` marks standing-idle takes.
    """
    source: str
    content: str | None = None
    style: str | None = None
    description: str | None = None
    captions: tuple[str, ...] = ()
    idle: bool = False

    def is_empty(self) -> bool:
        return not (self.content or self.description or self.captions or self.idle)


@dataclass(frozen=True, eq=False)
class Take:
    """One continuous capture, imported onto SMPL-22 at 20 fps.

    ``take_id`` is stable across rebuilds (source + file stem) and is what splits group by, so a
    take's windows and mirrored copies always land in the same split; ``actor`` groups further
    when the source names its performers (None when it does not).
    """
    take_id: str
    source: str
    source_file: str
    motion: Motion
    labels: Labels
    license: str
    actor: str | None = None
    notes: tuple[str, ...] = field(default=())
