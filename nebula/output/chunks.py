"""The tag every video chunk carries (its container's comment) so that `join` can check that
chunks belong together, come in order, once each, and are complete."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nebula.errors import UsageError

if TYPE_CHECKING:
    from nebula.output.job import RecordJob

CHUNK_TAG = "nebula-chunk "


def chunk_tag(job: RecordJob) -> str:
    """The container comment a video chunk carries: the recording it belongs to (everything
    but the frame range) and the frames it holds. `join` reads it back."""
    recording = {
        "seed": job.seed,
        "start": job.start,
        "clock_offset": job.clock_offset,
        "total": job.total,
        "fps": str(job.fps),
        "size": list(job.size),
        "codec": job.codec,
        "crf": job.crf,
        "ssaa": job.ssaa,
        "params": dict(sorted((job.params or {}).items())),
    }
    return CHUNK_TAG + json.dumps({"recording": recording, "frames": [job.first, job.stop]})


def read_chunk_tag(path: Path, comment: str | None) -> tuple[dict[str, Any], int, int]:
    if not comment or not comment.startswith(CHUNK_TAG):
        raise UsageError(
            f"chunk {path} carries no nebula chunk tag: join only takes chunks that "
            "`nebula record --frame-range` wrote"
        )
    try:
        data = json.loads(comment[len(CHUNK_TAG) :])
        first, stop = (int(x) for x in data["frames"])
        return dict(data["recording"]), first, stop
    except (ValueError, KeyError, TypeError):
        raise UsageError(f"chunk {path} has a damaged nebula chunk tag") from None


def differs(a: Mapping[str, Any], b: Mapping[str, Any]) -> str:
    keys = [k for k in a.keys() | b.keys() if a.get(k) != b.get(k)]
    return ", ".join(f"{k} {b.get(k)!r} (not {a.get(k)!r})" for k in sorted(keys))
