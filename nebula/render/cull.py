"""Which bounding spheres the camera can see: the instanced passes upload only those.

A software rasterizer runs vertex shaders on one thread and pays for every triangle it sets up,
even off-screen, so a third of the flowers behind the frame's edges cost a third of the pass.
Pure numpy: the planes come from the frame's view-projection matrix.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def frustum_planes(view_proj: NDArray[np.floating]) -> NDArray[np.float64]:
    """The six planes (a, b, c, d) bounding what ``view_proj`` sees, normals inward and of
    unit length, so ``centre . n + d`` is a signed distance in world units (Gribb-Hartmann)."""
    m = np.asarray(view_proj, dtype=np.float64)
    planes = np.stack([m[3] + m[i] * sign for i in range(3) for sign in (1.0, -1.0)])
    return np.asarray(planes / np.linalg.norm(planes[:, :3], axis=1, keepdims=True))


def spheres_in_view(
    centres: NDArray[np.floating], radii: NDArray[np.floating], view_proj: NDArray[np.floating]
) -> NDArray[np.bool_]:
    """Which spheres (n centres, n radii) reach inside the view: a sphere outside any plane is
    wholly out of sight; every other one is kept (conservative near the frustum's corners)."""
    planes = frustum_planes(view_proj)
    dist = np.asarray(centres, dtype=np.float64) @ planes[:, :3].T + planes[:, 3]
    return np.asarray((dist >= -np.asarray(radii, dtype=np.float64)[:, None]).all(axis=1))
