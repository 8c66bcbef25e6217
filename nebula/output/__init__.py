"""Where pixels go: PNG files, codecs, the video and PNG sinks, the encoder thread,
a recording (``record``) and the joining of chunks (``join``). No argument parsing here: the
command line (nebula.cli) checks arguments and builds the jobs."""
