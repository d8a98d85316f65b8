"""What goes wrong in speech, said so that the person reading it knows what and where."""


class SpeechProblem(Exception):
    """Audio, a model or a turns file that speech cannot use; the message names it and why."""
