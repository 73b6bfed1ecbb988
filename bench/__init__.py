"""The benchmark at State Grid size: a seeded data generator and a runner (`python -m bench`)."""
