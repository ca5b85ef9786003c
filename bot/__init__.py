"""ictbot's application core: settings, services, templates, the scheduler, the Bolt app and the CLI."""
