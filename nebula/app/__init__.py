"""The live piece. show.py holds the per-frame work (no window needed) and the one door every
event goes through; actions.py what each named action does; preview.py what the frames show
while the clock stands; status.py what the HUD says and hud.py draws it; hotkeys.py the key
table; window.py the pygame window and its loop, pacing.py its frame-rate ceiling; session.py
the show's journal; live.py puts a session together (Show, journal, OSC, MIDI, installation)
for `nebula run`, the soak (soak.py) and the bench. pygame is imported only when a window is
made."""
