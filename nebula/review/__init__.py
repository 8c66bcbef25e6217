"""Looking at the piece: ``scan`` measures motion over whole cycles (no flash, no jump), ``sheet``
draws the figures' model sheet. Both draw through the same Piece as everything else."""
