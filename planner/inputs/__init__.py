"""Inputs: service points, demand, categories, geocoding, registers, safe YAML, stored matrices."""
