"""The canvas: one picture spread over many displays and projectors (a wall file), with nothing
here that draws. ``file`` reads and checks a wall file; ``geometry`` holds the blend ramps and
the corner pin's homography; ``layout`` describes a wall in words (`nebula wall check`).

The renderer draws a tile of a wall as a window onto the one canvas (nebula.render.tile)."""
