"""``{% limit "NAME" %}``: a size limit from ``config/limits.py`` for a template.

Forms render their ``maxlength`` (and scripts their ``data-`` attributes) from the same
constant the view or service enforces, so the browser's bound and the server's agree.
"""

from django import template

from config import limits

register = template.Library()


@register.simple_tag
def limit(name):
    """The value of ``config.limits.<name>`` (an int or str); raises AttributeError for a
    name the module does not define, so a misspelt limit fails the page's tests."""
    if not name.isupper():
        raise AttributeError(f"{name!r} is not a limit of config/limits.py")
    return getattr(limits, name)
