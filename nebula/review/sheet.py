"""The model sheet: every figure of a run, large and side by side, guarded, open and speaking,
then their faces up close, the two the text names marked. For reviewing the people (``nebula
still --sheet figures``).

It draws with the piece's own renderer and shaders; only the stage is arranged: the circle's
figures (their seeds, heights, kinds and so their builds, hair and clothes from the run's
World) stand in a row facing the viewer, seen from chest height, in three rows of one picture;
the fourth stands them nearer, at the eye's height, so each face is about as many pixels tall
as the nearest faces of the circle in a 1080p frame.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from nebula import scene
from nebula.config import Params, Settings
from nebula.render.frame import FrameTime
from nebula.sim import story
from nebula.sim.figures import DREAMER, KIND_MAN, KIND_WOMAN
from nebula.sim.world import World

#: (label, openness, shimmer, speaking, the cycle moment whose sky and moods stand behind it,
#: how far in front of the eye the row stands (metres), the eye's height)
POSES = (
    ("guarded", 0.0, 0.55, 0.0, 40.0, 4.2, 1.15),
    ("open", 1.0, 0.0, 0.0, 150.0, 4.2, 1.15),
    ("speaking", 1.0, 0.0, 1.0, 150.0, 4.2, 1.15),
    ("faces", 1.0, 0.0, 0.0, 150.0, 2.3, 1.66),
)
#: The 16:9 frame's half width one metre in front of the eye.
HALF_WIDTH_PER_METRE = float(np.tan(np.radians(scene.FOV_Y_DEG / 2))) * scene.REFERENCE_ASPECT


@dataclass
class SheetState:
    """A SceneState for the renderer: the row of figures, nothing else on the plain."""

    moods: story.Moods
    cycle_t: float
    camera: NDArray[np.float64]
    figures: NDArray[np.void]
    parts: NDArray[np.void]
    flowers: NDArray[np.void]
    threads: NDArray[np.void]
    particles: NDArray[np.void]


def _eye(height: float) -> NDArray[np.float64]:
    """The sheet's eye: where the piece's eye rests, at ``height``."""
    eye = scene.CAMERA_REST.copy()
    eye[1] = height
    return eye


def _row(
    world: World, open_: float, shimmer: float, speak: float, distance: float, eye_height: float
) -> NDArray[np.void]:
    f = world.figures.copy()
    others = [i for i in range(len(f)) if i != DREAMER]
    n = len(others)
    eye = _eye(eye_height)
    half = distance * 0.88 * HALF_WIDTH_PER_METRE  # the frame's half width there, less a margin
    for j, i in enumerate(others):
        x = -half + 2.0 * half * (j + 0.5) / n
        f["in_pos"][i] = (x, 0.0, eye[2] - distance + 0.01 * j)  # each a hair nearer
    f["in_heart"] = f["in_pos"]
    f["in_heart"][:, 1] = f["in_height"] * 0.72
    f["in_look"] = (0.0, 0.0, 1.0)  # everyone faces the viewer
    f["in_lean"] = 0.0
    f["in_open"] = open_
    f["in_shimmer"] = shimmer
    f["in_speak"] = speak
    return f


def figure_sheet(settings: Settings, size: tuple[int, int]) -> NDArray[np.uint8]:
    """The sheet as (4 h, w, 3) uint8 RGB: one ``size`` row per pose, labelled."""
    from nebula.piece import Piece  # lazily: it loads moderngl
    from nebula.sim.poses import Poser

    rows = []
    with Piece(settings, None, size) as piece:
        # The piece's own world at the start of the run: its figures are the run's.
        world, r = piece.world, piece.renderer
        empty_threads = world.threads[:0]
        for _, open_, shimmer, speak, t, distance, eye_height in POSES:
            base = story.moods_at(t)
            moods = dataclasses.replace(base, fade=0.0, haze=shimmer)
            row = _row(world, open_, shimmer, speak, distance, eye_height)
            state = SheetState(
                moods,
                t,
                _eye(eye_height),
                row,
                Poser(row).pose(row),
                world.flowers[:0],
                empty_threads,
                world.particles[:0],
            )
            r.draw(state, Params().values, FrameTime(t, settings.cycle_seconds))
            rows.append(r.read().copy())  # read() reuses one array
    sheet = np.concatenate(rows, axis=0)
    _label(sheet, world, size)
    return sheet


def _label(sheet: NDArray[np.uint8], world: World, size: tuple[int, int]) -> None:
    """Each row's pose at its left; the named two's names under their feet in every row."""
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    import pygame.font

    pygame.font.init()
    font = pygame.font.Font(None, max(14, size[1] // 22))
    w, h = size
    f = world.figures
    others = [i for i in range(len(f)) if i != DREAMER]
    names = {KIND_WOMAN: "the woman", KIND_MAN: "the man"}
    for row, (label, *_rest) in enumerate(POSES):
        _blit(sheet, font, label, (8, row * h + 6))
        for j, i in enumerate(others):
            name = names.get(float(f["in_kind"][i]))
            if name is not None:
                centre = w * (0.5 + 0.44 * (2.0 * (j + 0.5) / len(others) - 1.0))
                x = round(centre - font.size(name)[0] / 2)
                _blit(sheet, font, name, (max(0, x), row * h + h - font.get_height() - 6))


def _blit(sheet: NDArray[np.uint8], font: object, text: str, at: tuple[int, int]) -> None:
    import pygame

    assert isinstance(font, pygame.font.Font)
    surf = font.render(text, True, (255, 236, 220))
    px = pygame.surfarray.array3d(surf).transpose(1, 0, 2)
    alpha = pygame.surfarray.array_alpha(surf).T[..., None] / 255.0 if surf.get_alpha() else None
    x, y = at
    hh, ww = px.shape[:2]
    region = sheet[y : y + hh, x : x + ww]
    px = px[: region.shape[0], : region.shape[1]]
    if alpha is None:
        mask = (px.max(axis=2, keepdims=True) > 0).astype(np.float64)
    else:
        mask = alpha[: region.shape[0], : region.shape[1]]
    region[:] = (region * (1 - mask) + px * mask).astype(np.uint8)
