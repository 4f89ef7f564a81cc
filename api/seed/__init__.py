"""Demo and benchmark data: a deterministic Japanese customer register, loaded by COPY.

services.seed_demo is the entry point; plan, names, places, masters, companies, people and
sales draw the rows as frames; steps and load write them.
"""
