"""The reconciler that sends what is due (reminders, scheduled digests).

Also the ports each platform's delivery implements.
"""
