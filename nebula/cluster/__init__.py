"""A wall of machines, frame-locked: a leader holds the clock and the events, followers draw
their tiles of the one canvas (nebula.wall) and present each frame only when the leader
releases it, when every follower present has drawn it (a swap barrier). Any frame is a pure
function of seed, settings, events and time, so a follower seeks to any moment instead of
replaying, and no pixels cross the network. ``protocol`` is the messages and their signing,
``leader`` the clock's side (no GL), ``follower`` a tile's."""
