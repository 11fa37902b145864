"""The pure core: tenants, schedules, routing. No I/O; every function takes `now` as input."""
