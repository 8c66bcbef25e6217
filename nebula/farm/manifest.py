"""The farm folder's manifest: which recording the folder holds (its arguments and their
hash) and each finished chunk's frames, checksum and size. Only the client writes it, whole
and atomically, after each chunk: a killed farm loses at most the chunks in flight."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nebula import files
from nebula.farm.plan import Chunk
from nebula.output.chunks import differs
from nebula.output.codecs import is_frame_name

MANIFEST = "manifest.json"
VERSION = 1


class FarmError(Exception):
    """A farmed recording that cannot go on; the message is the one line the user sees."""


def digest(arguments: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(arguments, sort_keys=True).encode()).hexdigest()


def checksum(path: Path) -> str:
    """sha256 of a chunk: a video file's bytes, or a frame folder's names and bytes in order."""
    h = hashlib.sha256()
    if path.is_dir():
        for frame in sorted(p for p in path.iterdir() if is_frame_name(p.name)):
            h.update(frame.name.encode() + b"\0")
            h.update(frame.read_bytes())
    else:
        with open(path, "rb") as f:
            while block := f.read(1 << 20):
                h.update(block)
    return h.hexdigest()


@dataclass
class Manifest:
    folder: Path
    arguments: dict[str, Any]
    #: Chunk name -> {"frames": [first, stop], "sha256", "bytes", "seconds", "worker"}.
    done: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def path(self) -> Path:
        return self.folder / MANIFEST

    def save(self) -> None:
        data = {
            "nebula_farm": VERSION,
            "digest": digest(self.arguments),
            "arguments": self.arguments,
            "chunks": dict(sorted(self.done.items())),
        }
        files.replace(self.path, (json.dumps(data, indent=1) + "\n").encode())

    def verified(self, chunk: Chunk) -> bool:
        """The chunk is done: in the manifest, its file there, with the recorded checksum."""
        entry = self.done.get(chunk.name)
        path = self.folder / chunk.name
        if entry is None or entry.get("frames") != [chunk.first, chunk.stop] or not path.exists():
            return False
        return bool(checksum(path) == entry.get("sha256"))


def open_manifest(folder: Path, arguments: dict[str, Any]) -> Manifest:
    """The folder's manifest for this recording: a new one (and the folder) the first time;
    the one there when resuming the same recording. Another recording's folder is refused,
    naming what differs, and so is a folder that is not a farm's."""
    path = folder / MANIFEST
    if not folder.exists():
        folder.mkdir()
        m = Manifest(folder, arguments)
        m.save()
        return m
    if not folder.is_dir():
        raise FarmError(f"{folder} is a file; the farm keeps its chunks in a folder of that name")
    if not path.exists():
        if any(folder.iterdir()):
            raise FarmError(
                f"{folder} holds files but no {MANIFEST}: it is not a farm's chunk folder; "
                "move it away or choose another --out"
            )
        m = Manifest(folder, arguments)
        m.save()
        return m
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        theirs = dict(data["arguments"])
        done = {str(k): dict(v) for k, v in data["chunks"].items()}
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
        raise FarmError(
            f"{path} is damaged: delete {folder} to start this recording afresh"
        ) from None
    if digest(theirs) != digest(arguments):
        raise FarmError(
            f"{folder} holds the chunks of another recording ({differs(theirs, arguments)}): "
            "run that command again to resume it, or delete the folder or choose another --out"
        )
    return Manifest(folder, theirs, done)
