"""A farmed recording's plan: its chunks, the folder they render into, and the arguments that
name the recording (what a resumed run into the same folder must match)."""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nebula.output.job import RecordJob

#: Frames a chunk holds by default: 10 s at 60 fps, 24 chunks a four-minute cycle.
DEFAULT_CHUNK = 600


@dataclass(frozen=True)
class Chunk:
    """Frames ``first`` to ``stop - 1`` of the span, rendered to ``name`` in the folder."""

    first: int
    stop: int
    name: str

    @property
    def frames(self) -> int:
        return self.stop - self.first

    @property
    def label(self) -> str:
        return f"{self.name} (frames {self.first}:{self.stop})"


def chunks_of(job: RecordJob, size: int) -> list[Chunk]:
    """The job's frames in chunks of ``size`` (the last may be shorter), in order."""
    suffix = "" if job.spec.is_sequence else job.out.suffix.lower()
    digits = max(6, len(str(job.total)))
    out = []
    for a in range(job.first, job.stop, size):
        b = min(a + size, job.stop)
        out.append(Chunk(a, b, f"chunk-{a:0{digits}d}-{b:0{digits}d}{suffix}"))
    return out


def chunk_folder(out: Path) -> Path:
    """Where the chunks of ``out`` render: beside it, so on the storage the workers share."""
    return out.with_name(out.name + ".chunks")


def chunk_job(job: RecordJob, chunk: Chunk, folder: Path) -> RecordJob:
    """The recording of one chunk: the job's own frames first to stop, into the folder. A
    chunk file left by an earlier, unfinished run is the farm's own and is replaced."""
    return dataclasses.replace(
        job, out=folder / chunk.name, first=chunk.first, stop=chunk.stop, force=True
    )


def arguments(job: RecordJob, chunk: int) -> dict[str, Any]:
    """What names the recording: everything that changes a frame or how chunks are cut and
    encoded. Where the farm runs (scheduler, workers) is not in it: a run may resume anywhere."""
    from nebula import __version__

    spec = job.spec
    return {
        "nebula": __version__,
        "seed": job.seed,
        "start": job.start,
        "clock_offset": job.clock_offset,
        "total": job.total,
        "frames": [job.first, job.stop],
        "fps": str(job.fps),
        "size": list(job.size),
        "ssaa": job.ssaa,
        "params": dict(sorted((job.params or {}).items())),
        "journal": _file_digest(job.journal) if job.journal is not None else None,
        "codec": {
            "name": spec.name,
            "encoder": spec.encoder,
            "pix_fmt": spec.pix_fmt,
            "options": dict(spec.options),
            "crf": job.crf if job.crf is not None else (spec.crf[0] if spec.crf else None),
        },
        "chunk": chunk,
    }


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
