"""The 3D viewport and its scene items."""
