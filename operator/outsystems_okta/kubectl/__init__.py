"""`kubectl osokta`: a kubectl plugin to look at and steer OutSystemsOktaIntegrations.

commands (argparse and the waiting loop), cluster (the Kubernetes reads and writes), and the pure
parts: render (what status and lifetime print) and waits (when a day-2 request was handled).
"""
