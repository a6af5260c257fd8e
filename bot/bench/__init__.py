"""`marugoto bench`: load and latency figures against real processes on this machine."""
