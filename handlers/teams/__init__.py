"""The Microsoft Teams front end: the Teams SDK app behind ``POST /api/messages``, its listeners
(text commands after the @mention, Adaptive Card submissions), the cards, proactive delivery through
the Bot Connector, conversation references, authentication and the app package.

A sibling of ``handlers.slack`` over the same services; neither imports the other.
"""

import warnings

# The SDK (2.1.1) announces a preview API of its own when it is imported (an ExperimentalWarning, shown by
# default: a FutureWarning); ictbot uses no HTML widget, and `ictbot serve` would print it at every start.
warnings.filterwarnings(
    "ignore",
    message="HtmlWidgetSecurityPolicy is in preview",
    category=FutureWarning,
    module=r"microsoft_teams\.apps\.utils\.html_widget",
)
