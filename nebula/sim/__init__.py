"""The numpy core: everything that moves is decided here. Imports neither moderngl nor pygame."""
