"""The live piece: show.py holds the per-frame work (no window needed), status.py what the HUD
says, window.py the pygame window and loop, hotkeys.py the key table, hud.py the overlay,
pacing.py the frame-rate ceiling. The `nebula run` command that drives them is nebula.cli.run;
pygame is imported only when a window is made."""
