"""The Slack front end: Bolt listeners by kind, middleware, Block Kit builders, delivery clients, OAuth and tokens."""
