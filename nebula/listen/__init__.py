"""The room's voice: sound in, features and events out (`nebula run --listen`)."""
