"""Application services: plain values in, plain values out. No Slack payloads, no clock reads."""
