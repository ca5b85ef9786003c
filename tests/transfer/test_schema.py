"""The export document's schema (bot.transfer.schema): each section's keys in the order of the format."""

from __future__ import annotations

from bot.runtime import Runtime
from tests.conftest import Clock
from tests.transfer.test_restore import build_rich_workspace, exported

# The keys of each section in the order every export so far has written them: a change here is a change
# of the format (and of FORMAT_VERSION). A key added later that older documents may lack, as the workspace's
# chair_usergroup_id, the strategies' aims and the projects' history, comes last in its section and keeps the version.
KEYS = {
    "document": "format version exported_at workspace strategies projects updates roles meeting_series closures "
    "meetings reminders digest_posts history report_settings narrative signoffs people raid decisions actions "
    "assurance_obligations assurance_results assurance_reminders digests_sent",
    "workspace": "team_id platform name created_at chair_usergroup_id",
    "strategies": "name period description active created_at priorities aims",
    "priorities": "position code name description",
    "projects": "ref title strategy priority_code priority_name owner delegates service_area status target_date "
    "completed_on created_at",
    "updates": "id project_ref author source created_at revisions",
    "revisions": "number rag progress next_steps risks editor created_at",
    "roles": "user_id role granted_by created_at",
    "meeting_series": "rrule anchor local_time duration_minutes timezone holiday_region channel_id reminder_stages "
    "digest_stage updated_by updated_at",
    "closures": "day reason created_by created_at",
    "meetings": "occurrence starts_at status moved note revision changed_by updated_at",
    "reminders": "meeting user_id kind stage status due_at attempts claimed_by claimed_at sent_at error project_refs "
    "channel_id message_ts",
    "digest_posts": "meeting channel_id status due_at attempts claimed_by claimed_at sent_at error message_ts",
    "history": "project_ref at actor via field old new",
    "narrative": "period_start section number text author created_at",
    "signoffs": "period_start period_end user_id signed_at fingerprint",
    "people": "user_id name title refreshed_at email",
    "raid": "kind project_ref strategy priority_code text owner likelihood impact review_on status raised_by raised_at "
    "closed_by closed_at close_note revisions",
    "raid_revisions": "at actor change text owner likelihood impact review_on status note",
    "decisions": "meeting project_ref text recorded_by recorded_at",
    "actions": "meeting project_ref owner due_on text status given_by given_at done_by done_at done_note",
    "assurance_obligations": "code name owner strategy priority_code rrule start_on due_on evidence remind_days "
    "loaded_at retired_at",
    "assurance_results": "obligation_code occurrence outcome note evidence_url recorded_by recorded_at",
    "assurance_reminders": "obligation_code occurrence user_id status due_at attempts claimed_by claimed_at sent_at "
    "error channel_id message_ts",
    "digests_sent": "channel_id message_ts period_start period_end posted_by posted_at",
}


def test_every_section_writes_its_keys_in_the_order_of_the_format(runtime: Runtime, workplan: object, clock: Clock):
    build_rich_workspace(runtime, clock)
    doc = exported(runtime)
    strategy, update = doc["strategies"][0], doc["updates"][0]
    found = {
        "document": doc,
        "workspace": doc["workspace"],
        "strategies": strategy,
        "priorities": strategy["priorities"][0],
        "projects": doc["projects"][0],
        "updates": update,
        "revisions": update["revisions"][0],
        "meeting_series": doc["meeting_series"],
    }
    lists = (
        "roles",
        "closures",
        "meetings",
        "reminders",
        "digest_posts",
        "history",
        "narrative",
        "signoffs",
        "people",
        "raid",
        "decisions",
        "actions",
        "assurance_obligations",
        "assurance_results",
        "assurance_reminders",
        "digests_sent",
    )
    found |= {name: doc[name][0] for name in lists}
    found["raid_revisions"] = doc["raid"][0]["revisions"][0]
    assert {name: " ".join(section) for name, section in found.items()} == KEYS
