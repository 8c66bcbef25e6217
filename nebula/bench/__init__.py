"""`nebula bench`: speed and memory figures, printed as a table or (``--json``) as one JSON object
on the last line of stdout.

The benchmark is a list of sections. Each section is a function that takes the parsed options
and returns a flat dict of figures; the dicts are merged into one object. To add figures (for
example render and record speed through ``nebula.output.record``), write such a function and
append it to ``SECTIONS`` below; nothing else changes. ``--only NAME,...`` runs a subset by
section name. The sections live beside this file: sim, render (with the window), record, osc,
wall, web,
machines, ndi, listen;
report holds the targets, the running and the table.

Timings are medians; a ratio's two sides are measured interleaved in the same loop, so a busy
machine slows both alike. Progress goes to stderr so stdout's last line stays the JSON object.
"""

from __future__ import annotations

from nebula.bench.listen import section_listen
from nebula.bench.machines import section_machines
from nebula.bench.ndi import section_ndi
from nebula.bench.osc import section_osc
from nebula.bench.record import section_record
from nebula.bench.render import section_render, section_window
from nebula.bench.report import Section
from nebula.bench.sim import section_alloc, section_seek, section_sim, section_sim_1m
from nebula.bench.wall import section_wall
from nebula.bench.web import section_web

#: name -> section, run in this order. Append new sections here (see the module docstring).
SECTIONS: dict[str, Section] = {
    "sim": section_sim,
    "alloc": section_alloc,
    "seek": section_seek,
    "sim_1m": section_sim_1m,
    "render": section_render,
    "window": section_window,
    "record": section_record,
    "osc": section_osc,
    "wall": section_wall,
    "web": section_web,
    "machines": section_machines,
    "ndi": section_ndi,
    "listen": section_listen,
}
