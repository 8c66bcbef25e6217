"""One module per pass, in drawing order: sky, plain, flowers, figures, threads, particles, post."""
