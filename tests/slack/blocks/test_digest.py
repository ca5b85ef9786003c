"""The digest as Slack messages: each priority's head counts its completed projects; nothing is lost."""

from __future__ import annotations

import json

from handlers.slack.blocks.digest import detail_messages
from tests.render.test_docx_report import sample_digest


def test_a_priority_head_counts_its_completed_projects_and_the_last_reply_still_lists_them():
    messages = detail_messages(sample_digest())  # GOV-02 completed under ICT Governance
    heads = [json.dumps(m.blocks) for m in messages]
    governance = next(h for h, m in zip(heads, messages, strict=True) if "ICT Governance" in m.text)
    assert "2 of 2 updated in the period, 1 completed" in governance
    assert sum("completed" in h and "updated in the period" in h for h in heads) == 1
    assert "Completed in the period (1)" in heads[-1] and "PSN submission" in heads[-1]
