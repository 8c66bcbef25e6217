"""The stage: camera and circle layout shared by the simulation (world positions) and the
renderer (projection). Pure numpy, no GL: both sides agree on one picture of the world.

World units are metres: y is up, the plain is y = 0, the camera looks along -z.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

F32 = np.float32

#: Eyes slightly above the figures' heads, standing just behind the dreamer's place.
#: A longish lens (38 degrees) from a step behind the dreamer: the far figures stand a fifth of the
#: frame tall instead of a sixth, and the nearest two frame the picture at its edges.
CAMERA_POS = np.array([0.0, 2.1, 1.8], dtype=np.float64)
FOV_Y_DEG = 38.0
#: Horizon about 40% up from the bottom of the frame: tilt the view up until it sits there.
HORIZON_FROM_BOTTOM = 0.40
NEAR, FAR = 0.1, 400.0

CIRCLE_CENTER = np.array([0.0, 0.0, -6.2], dtype=np.float64)
CIRCLE_RADIUS = 4.3
#: The dreamer stands on the circle at its nearest point; its heart is the bottom-centre of the
#: frame, as if the threads left the viewer's own chest.
DREAMER_HEART = np.array([0.0, 1.4, -0.85], dtype=np.float64)


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


def view_matrix(aspect: float = REFERENCE_ASPECT) -> NDArray[np.float32]:
    """World to camera (column vectors, row-major array; transpose when uploading to GL)."""
    p = camera_pitch(aspect)
    c, s = math.cos(p), math.sin(p)
    # Rotate about x by -pitch (the world tilts down as the camera looks up), then translate.
    rot = np.array([[1, 0, 0, 0], [0, c, -s, 0], [0, s, c, 0], [0, 0, 0, 1]], dtype=np.float64)
    rot = rot.T  # inverse of a pure rotation
    tr = np.eye(4)
    tr[:3, 3] = -CAMERA_POS
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


def view_projection(aspect: float) -> NDArray[np.float32]:
    return (projection_matrix(aspect) @ view_matrix(aspect)).astype(F32)


def _clip(points: NDArray[np.floating], aspect: float) -> NDArray[np.float64]:
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 3)
    h = np.concatenate([pts, np.ones((len(pts), 1))], axis=1)
    return np.asarray(h @ view_projection(aspect).astype(np.float64).T, dtype=np.float64)


def project(points: NDArray[np.floating], aspect: float) -> NDArray[np.float64]:
    """World points (n, 3) to normalised screen coordinates in [0, 1] (x right, y up).

    Only meaningful in front of the eye (see ``in_front``); a point at the eye itself gives
    inf or nan rather than an error.
    """
    clip = _clip(points, aspect)
    with np.errstate(divide="ignore", invalid="ignore"):
        ndc = clip[:, :2] / clip[:, 3:4]
    return np.asarray(ndc * 0.5 + 0.5, dtype=np.float64)


def in_front(points: NDArray[np.floating], aspect: float) -> NDArray[np.bool_]:
    """Which world points (n, 3) lie beyond the near plane: the ones ``project`` can place."""
    return np.asarray(_clip(points, aspect)[:, 3] > NEAR)
