"""The dockable panels around the viewport: prompt, clips, timeline, captions, library."""
