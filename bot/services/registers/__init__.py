"""The governance group's registers: risks and issues, and the decisions and actions of its meetings."""
