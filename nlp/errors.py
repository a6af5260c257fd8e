"""Coded errors of the nlp package; callers branch on `code`, never on text."""


class NlpError(Exception):
    """Base of every error the classifier raises on purpose."""

    code = "nlp_error"


class LexiconError(NlpError):
    """A lexicon or threshold data file is malformed (bad regex, weight or label)."""

    code = "nlp_lexicon_invalid"


class ModelLoadError(NlpError):
    """The installed spaCy/GiNZA model could not be loaded."""

    code = "nlp_model_unavailable"


class InputError(NlpError):
    """A line given to the CLI is not a JSON object with a string `text`."""

    code = "nlp_input_invalid"
