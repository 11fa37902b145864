"""Ad hoc closures: their file in state_dir, their end times, and the daemon's view of them."""
