"""The stage: camera and circle layout shared by the simulation (world positions) and the
renderer (projection). Pure numpy, no GL: both sides agree on one picture of the world.

World units are metres: y is up, the plain is y = 0, the camera looks along -z.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from numpy.typing import NDArray

F32 = np.float32

CIRCLE_CENTER = np.array([0.0, 0.0, -6.2], dtype=np.float64)
#: A close circle: people two steps apart, near enough to talk.
CIRCLE_RADIUS = 2.6
#: The figures stand round the circle except for an opening this wide either side of its near
#: point, the dreamer's place: the viewer completes the circle.
OPENING_DEG = 30.0

#: Where the dreamer's eyes come to rest after the approach ("as I draw nearer"): in the
#: circle's opening, a step behind its two nearest figures, at a standing person's eye height.
#: From here (a 48 degree lens) the circle closes round the viewer: the nearest two stand at the
#: sides of the frame, their heads past its middle; the rest stand round a wide ellipse, the far
#: side under the sky. Their heads rise above the horizon, so the eye is below most of them.
CAMERA_REST = np.array([0.0, 1.42, CIRCLE_CENTER[2] + CIRCLE_RADIUS + 1.8], dtype=np.float64)
#: Where each arrival starts and each fade returns to: farther back and higher, above the
#: figures' heads, looking across the plain at a small circle.
CAMERA_AWAY = np.array([0.0, 0.9, 8.0], dtype=np.float64)
FOV_Y_DEG = 48.0
#: Horizon about 40% up from the bottom of the frame: tilt the view up until it sits there. The
#: pitch depends only on the lens, so the horizon and the sky stay put while the camera walks.
HORIZON_FROM_BOTTOM = 0.40
NEAR, FAR = 0.1, 400.0

#: The dreamer's heart, from the resting eyes: the bottom-centre of the frame, as if the threads
#: left the viewer's own chest. Fixed in the world (threads are woven from it), so while the
#: camera breathes or drifts back the threads stay where they were woven.
DREAMER_HEART = CAMERA_REST + np.array([0.0, -0.85, -2.65])


def camera_position(approach: float, sway: tuple[float, float] = (0.0, 0.0)) -> NDArray[np.float64]:
    """The eye for ``approach`` (0 away .. 1 at rest) and a small breathing ``sway`` (x, y m)."""
    pos = CAMERA_REST + (1.0 - approach) * CAMERA_AWAY
    pos[0] += sway[0]
    pos[1] += sway[1]
    return pos


#: The circle is composed for 16:9; narrower frames (4:3, portrait) widen the lens until they see
#: as much of it across, instead of cropping the figures away.
REFERENCE_ASPECT = 16.0 / 9.0
MAX_FOV_Y_DEG = 100.0


def fov_y(aspect: float = REFERENCE_ASPECT) -> float:
    """Vertical field of view (degrees) for a frame of this aspect ratio."""
    if aspect >= REFERENCE_ASPECT:
        return FOV_Y_DEG
    half = math.atan(math.tan(math.radians(FOV_Y_DEG) / 2.0) * REFERENCE_ASPECT / aspect)
    return min(MAX_FOV_Y_DEG, math.degrees(2.0 * half))


def camera_pitch(aspect: float = REFERENCE_ASPECT) -> float:
    """Upward pitch (radians) that puts the horizon HORIZON_FROM_BOTTOM up the frame."""
    ndc_y = HORIZON_FROM_BOTTOM * 2.0 - 1.0  # -0.2
    return math.atan(-ndc_y * math.tan(math.radians(fov_y(aspect)) / 2.0))


def view_matrix(
    aspect: float = REFERENCE_ASPECT, eye: NDArray[np.floating] = CAMERA_REST
) -> NDArray[np.float32]:
    """World to camera (column vectors, row-major array; transpose when uploading to GL)."""
    p = camera_pitch(aspect)
    c, s = math.cos(p), math.sin(p)
    # Rotate about x by -pitch (the world tilts down as the camera looks up), then translate.
    rot = np.array([[1, 0, 0, 0], [0, c, -s, 0], [0, s, c, 0], [0, 0, 0, 1]], dtype=np.float64)
    rot = rot.T  # inverse of a pure rotation
    tr = np.eye(4)
    tr[:3, 3] = -np.asarray(eye, dtype=np.float64)
    return (rot @ tr).astype(F32)


def projection_matrix(aspect: float) -> NDArray[np.float32]:
    f = 1.0 / math.tan(math.radians(fov_y(aspect)) / 2.0)
    n, fa = NEAR, FAR
    m = np.zeros((4, 4), dtype=np.float64)
    m[0, 0] = f / aspect
    m[1, 1] = f
    m[2, 2] = (fa + n) / (n - fa)
    m[2, 3] = 2 * fa * n / (n - fa)
    m[3, 2] = -1.0
    return m.astype(F32)


def view_projection(aspect: float, eye: NDArray[np.floating] = CAMERA_REST) -> NDArray[np.float32]:
    return (projection_matrix(aspect) @ view_matrix(aspect, eye)).astype(F32)


def _clip(
    points: NDArray[np.floating], aspect: float, eye: NDArray[np.floating]
) -> NDArray[np.float64]:
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 3)
    h = np.concatenate([pts, np.ones((len(pts), 1))], axis=1)
    return np.asarray(h @ view_projection(aspect, eye).astype(np.float64).T, dtype=np.float64)


def project(
    points: NDArray[np.floating], aspect: float, eye: NDArray[np.floating] = CAMERA_REST
) -> NDArray[np.float64]:
    """World points (n, 3) to normalised screen coordinates in [0, 1] (x right, y up).

    Only meaningful in front of the eye (see ``in_front``); a point at the eye itself gives
    inf or nan rather than an error.
    """
    clip = _clip(points, aspect, eye)
    with np.errstate(divide="ignore", invalid="ignore"):
        ndc = clip[:, :2] / clip[:, 3:4]
    return np.asarray(ndc * 0.5 + 0.5, dtype=np.float64)


def in_front(
    points: NDArray[np.floating], aspect: float, eye: NDArray[np.floating] = CAMERA_REST
) -> NDArray[np.bool_]:
    """Which world points (n, 3) lie beyond the near plane: the ones ``project`` can place."""
    return np.asarray(_clip(points, aspect, eye)[:, 3] > NEAR)


def view_directions(
    aspect: float, x: NDArray[np.floating], y: NDArray[np.floating]
) -> NDArray[np.float64]:
    """Unit view directions (..., 3) through the screen points (x, y) in NDC, as sky_ray.vert
    makes them (far point minus eye, times its w). They depend on the lens alone, not on where
    the eye stands: the camera never turns."""
    inv = np.linalg.inv(view_projection(aspect).astype(np.float64))
    ones = np.ones_like(np.asarray(x, dtype=np.float64))
    far = np.stack([x * ones, y * ones, ones, ones], axis=-1) @ inv.T
    ray = far[..., :3] - CAMERA_REST * far[..., 3:4]
    return np.asarray(ray / np.linalg.norm(ray, axis=-1, keepdims=True))


@functools.lru_cache(maxsize=16)
def elevation_band(aspect: float, lo: float, hi: float) -> tuple[float, float] | None:
    """The rows of the screen (NDC y, bottom to top) that look in some direction whose elevation
    (the normalised view ray's y) lies in [lo, hi], a row wider each way; None if none do.

    Where the sky and the plain draw: a software rasterizer shades every fragment of a
    full-screen pass even where the shader discards it, so each draws its own band instead.
    Directions do not depend on where the eye stands, only on the lens: one band per aspect.
    """
    rows = 512
    x, y = np.meshgrid(np.linspace(-1.0, 1.0, 17), np.linspace(-1.0, 1.0, rows + 1))
    el = view_directions(aspect, x, y)[..., 1]
    seen = np.flatnonzero(((el >= lo) & (el <= hi)).any(axis=1))
    if len(seen) == 0:
        return None
    step = 2.0 / rows
    return max(-1.0, float(y[seen[0], 0]) - step), min(1.0, float(y[seen[-1], 0]) + step)
