"""Small GL helpers: binding structured numpy arrays to program attributes by name."""

from __future__ import annotations

import moderngl
import numpy as np


def attribute_format(
    dtype: np.dtype, program: moderngl.Program, divisor: str = ""
) -> tuple[str, list[str]]:
    """A moderngl buffer format for ``dtype`` whose fields are named like the shader's attributes.

    Fields the program does not use (or the compiler optimised away) are skipped as padding, so
    one array serves several programs and is uploaded as it is, once per frame.
    """
    parts: list[str] = []
    names: list[str] = []
    for name in dtype.names or ():
        sub = dtype.fields[name][0]  # type: ignore[index]
        if isinstance(program.get(name, None), moderngl.Attribute):
            if sub.base != np.float32:
                raise TypeError(f"attribute {name} must be float32 (is {sub.base})")
            parts.append(f"{sub.itemsize // 4}f")
            names.append(name)
        else:
            parts.append(f"{sub.itemsize}x")
    fmt = " ".join(parts) + (f" /{divisor}" if divisor else "")
    return fmt, names
