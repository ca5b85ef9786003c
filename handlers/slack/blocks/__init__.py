"""Block Kit builders: turn service results into the blocks Slack shows. No listener and no API call here."""
