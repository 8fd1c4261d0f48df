"""LaMP Studio core: motion math, file formats, models and the engine. Never imports Qt."""

__version__ = "0.1.0"
