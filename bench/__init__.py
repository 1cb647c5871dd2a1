"""The benchmarks (`make bench`): bench/run.py, the hand-written comparison stack and the jsii call counter."""
