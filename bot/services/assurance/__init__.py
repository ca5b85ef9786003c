"""The assurance calendar: obligations loaded from a file, their occurrences, results and reminders."""
