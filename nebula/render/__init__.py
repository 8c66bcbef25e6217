"""Drawing: moderngl only. Reads simulation state and live parameters; imports no pygame."""
