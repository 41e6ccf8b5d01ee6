"""The nightly pass, the scheduler and the one place that wires sources, write-back and transport."""
