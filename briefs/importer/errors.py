"""The one error the importer raises for bad input."""


class BriefParseError(ValueError):
    """The text cannot become a brief; ``str(error)`` is a one-line reason for a curator."""

    def __init__(self, message):
        super().__init__(" ".join(str(message).split()))
