"""Text -> motion: conditioning, sampling, editing and the Engine that ties a model bundle together."""
