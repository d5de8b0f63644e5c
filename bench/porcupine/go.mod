module etcetera/bench/porcupine

go 1.19

// No replace directive here: `./run bench porcupine` builds with a copy of
// this file that points the module at $PORCUPINE_DIR, a checkout of
// github.com/anishathalye/porcupine.
require github.com/anishathalye/porcupine v0.0.0
