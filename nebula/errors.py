"""What the library raises when it cannot do what it was asked, for the command line to turn into
one line and an exit status (nebula.cli). Each says what is wrong and the way out.

GL's own failures live beside the code that meets them: ``ContextError`` and ``TargetSizeError``
(nebula.render.context), ``ShaderError`` (nebula.render.shaders), ``ConfigError``
(nebula.config), ``ResourceError`` (nebula.resources).
"""

from __future__ import annotations

#: Exit statuses of every subcommand (the live piece adds its own, see nebula.gallery.faults).
EXIT_OK = 0
EXIT_FAILED = 1  # the command could not do its work: no GL, a shader, a full disk
EXIT_USAGE = 2  # a bad argument or input file, refused before any work starts


class UsageError(Exception):
    """A bad argument: reported as one line, exit status 2, before any work starts."""


class RecordError(Exception):
    """A recording that could not finish; the message is the one line the user sees."""
