"""Captioning long clips without freezing or running for ever: the clip is captioned in pieces of
CHUNK_SECONDS so the job can report progress and stop between pieces when cancelled, and only its first
CAPTION_LIMIT_SECONDS are captioned at all (a 2-hour take would otherwise keep the model busy for minutes).
The limits are module constants so tests can lower them."""

from __future__ import annotations

import itertools
import math

from lamp_core.errors import Cancelled

CAPTION_LIMIT_SECONDS = 600.0   # captions cover at most the first 10 minutes of a clip
CHUNK_SECONDS = 60.0            # one captioner call per minute of motion: progress and cancel points


def captioned_part(motion):
    """(the part of ``motion`` that gets captioned, whether it was cut short)."""
    limit = round(CAPTION_LIMIT_SECONDS * motion.fps)
    if motion.n_frames > limit > 0:
        return motion.trim(0, limit), True
    return motion, False


def limit_note(duration: float) -> str:
    """The panel's note for a clip longer than the limit ("" when it is not)."""
    if duration <= CAPTION_LIMIT_SECONDS:
        return ""
    return (f"Only the first {_span(CAPTION_LIMIT_SECONDS)} of this {_span(duration)} clip are captioned "
            f"(and searched in the library); trim the clip to caption a later part.")


def _span(seconds: float) -> str:
    return f"{seconds / 60:g} min" if seconds >= 60 else f"{seconds:g} s"


def caption_long(captioner, motion, options, window: float, source: str, progress, cancelled) -> tuple[dict, ...]:
    """Timed captions (as dicts) of the captioned part of ``motion``, piece by piece; raises Cancelled."""
    part, _ = captioned_part(motion)
    chunk = max(1, round(CHUNK_SECONDS * part.fps))
    if part.n_frames <= chunk:
        return tuple(t.to_dict() for t in captioner.caption(part, options, window_seconds=window, source=source))
    k = math.ceil(part.n_frames / chunk)
    bounds = [round(i * part.n_frames / k) for i in range(k + 1)]   # equal pieces: no too-short tail
    spans: list[dict] = []
    for i, (a, b) in enumerate(itertools.pairwise(bounds)):
        if cancelled():
            raise Cancelled("captioning cancelled")
        offset = a / part.fps
        for t in captioner.caption(part.trim(a, b), options, window_seconds=window, source=source):
            d = t.to_dict()
            d["start"], d["end"] = round(d["start"] + offset, 2), round(d["end"] + offset, 2)
            same = spans and d["captions"] and spans[-1]["captions"] and \
                spans[-1]["captions"][0]["text"] == d["captions"][0]["text"]
            if same:
                spans[-1]["end"] = d["end"]      # neighbours that read the same are one span, as within a piece
            else:
                spans.append(d)
        progress((i + 1) / k)
    return tuple(spans)
