"""Exceptions first: what the governance group looks at before anything else (red, worsening or late
projects, high risks and risks past review, overdue actions, failed or overdue assurance)."""
