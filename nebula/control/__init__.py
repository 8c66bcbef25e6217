"""Playing the piece: every input (keys, OSC, MIDI) as one kind of event on the piece's own
timeline, the timeline that applies them step by step, the journal that writes them down and
the servers that turn messages into them. No GL and no pygame: the live window and a headless
replay use it alike."""
