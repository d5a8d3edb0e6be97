"""Local stand-ins for services outside our system, for development, tests and benchmarks."""
