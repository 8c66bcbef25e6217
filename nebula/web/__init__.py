"""The technician's page, its JSON API and OSCQuery, on one HTTP port (the ``web`` extra:
aiohttp). The server runs in a process of its own (``process``; ``python -m
nebula.web.server``) and never touches the show: it reads what the show writes into a folder
(``feed``: a status file a few times a second, a small frame once a second, the log) and sends
the controls on as OSC to the show's own OSC server on loopback, where they are checked,
rate-limited, glided, journaled and shown on the HUD like any other message. So the page stays
up while an installation's piece restarts: the supervisor hosts the same server on the same
folder. ``namespace`` is the OSCQuery tree, built from the OSC handler's own registry;
``guard`` holds the token and the checks every request passes."""
