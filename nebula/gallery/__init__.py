"""Gallery installation mode (issue 6): the pieces a show needs to run for weeks unattended.

Each module is small, pure where it can be, and takes time as an argument so tests drive it
with made-up clocks: ``keylock`` (only a deliberate exit works), ``hours`` (opening hours fade),
``scaler`` (render scale that follows a target frame rate), ``health`` (heartbeat, rotating
log, once-a-minute figures), ``faults`` (bounded retries, exit codes for a supervisor),
``display`` (cursor, screensaver, blanking) and ``watchdog`` (the supervisor's judgement).
Only ``display`` touches pygame, and only inside its functions; none of them imports the live
piece (nebula.app) or a sink (nebula.output): the show comes in as an argument. The headless
soak that rehearses weeks of this lives with the show, in nebula.app.soak.
"""
