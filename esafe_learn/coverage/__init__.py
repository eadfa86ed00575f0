"""Coverage: which pupils covered which strands of the curriculum, per class, per pupil and for the school."""
