"""Loading registers: the manifest, the pipeline of checks and writes, and the report."""
