"""Progress updates, called directly: what is recorded, who may post or correct one, finished projects,
the limits of its text, and that another workspace's project or update is never reached."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.errors import DomainError, InvalidInput, NotAllowed
from bot.runtime import Runtime
from bot.services import projects, quickform, updates, workspaces
from bot.services.quickform import UpdateText
from bot.services.updates import ProjectFinished, UpdateResult
from handlers.slack.wording import SLACK
from handlers.teams.wording import TEAMS
from models import ProgressUpdate, ProjectStatus, Rag, UpdateRevision, UpdateSource
from tests.conftest import ADMIN, DELEGATE, OWNER, START, STRANGER
from tests.helpers import count

TEAM = "T0COUNCIL"  # the stand-in's workspace, where the workplan fixture puts its projects
OTHER_TEAM = "T0ELSEWHERE"
LONDON = ZoneInfo("Europe/London")
TEXT = UpdateText(rag=Rag.GREEN, progress="Switches installed")
# Typed text that would be markup, a mention or a placeholder if anything read it: stored as typed.
TYPED = "Core links *done* <!channel> <@U0ADMIN> {update} `code` & <b>é 🚀"


def post(
    runtime: Runtime,
    ref: str,
    user: str,
    *,
    text: UpdateText = TEXT,
    now: datetime = START,
    is_admin: bool = False,
    source: UpdateSource = UpdateSource.COMMAND,
) -> UpdateResult:
    with runtime.unit(TEAM) as (session, ws):
        project = projects.get(session, ws, ref)
        return updates.post(session, ws, project, user_id=user, is_admin=is_admin, text=text, source=source, now=now)


def correct(
    runtime: Runtime, update_id: int, user: str, text: UpdateText, *, now: datetime, is_admin: bool = False
) -> UpdateResult:
    with runtime.unit(TEAM) as (session, ws):
        update = updates.get(session, ws, update_id)
        return updates.correct(session, ws, update, user_id=user, is_admin=is_admin, text=text, now=now)


def finish(runtime: Runtime, ref: str, status: ProjectStatus = ProjectStatus.COMPLETE) -> None:
    with runtime.unit(TEAM) as (session, ws):
        projects.set_status(session, ws, ref, status, now=START, tz=LONDON)


def revisions(runtime: Runtime, update_id: int) -> list[tuple[int, Rag, str, str, str, str, datetime]]:
    with runtime.sessions() as s:
        rows = s.scalars(select(UpdateRevision).where(UpdateRevision.update_id == update_id).order_by("number"))
        return [(r.number, r.rag, r.progress, r.next_steps, r.risks, r.editor_user_id, r.created_at) for r in rows]


# -- recording an update ----------------------------------------------------------------------------


def test_an_update_is_recorded_with_every_field_as_typed_and_its_first_revision(runtime, workplan):
    text = UpdateText(rag=Rag.AMBER, progress=TYPED, next_steps="Chase the supplier", risks="Budget | timing")

    result = post(runtime, "net-01", DELEGATE, text=text, source=UpdateSource.MODAL)

    assert result == UpdateResult(
        update_id=result.update_id,
        revision=1,
        project_ref="NET-01",
        project_title="Council network refresh",
        author=DELEGATE,
        rag=Rag.AMBER,
        progress=TYPED,
        next_steps="Chase the supplier",
        risks="Budget | timing",
        created_at=START,
        source=UpdateSource.MODAL,
        project_owner=OWNER,
    )
    with runtime.sessions() as s:
        [row] = s.scalars(select(ProgressUpdate))
        ws = workspaces.find(s, TEAM)
        assert ws is not None
        assert (row.id, row.workspace_id, row.project_id, row.author_user_id, row.source, row.created_at) == (
            result.update_id,
            ws.id,
            workplan["NET-01"],
            DELEGATE,
            UpdateSource.MODAL,
            START,
        )
    assert revisions(runtime, result.update_id) == [
        (1, Rag.AMBER, TYPED, "Chase the supplier", "Budget | timing", DELEGATE, START)
    ]


def test_each_update_is_a_row_of_its_own_and_the_latest_is_the_newest(runtime, workplan):
    first = post(runtime, "NET-01", OWNER, now=START)
    second = post(
        runtime, "NET-01", DELEGATE, text=UpdateText(rag=Rag.RED, progress="Slipped"), now=START + timedelta(days=1)
    )

    assert second.update_id != first.update_id and second.revision == 1
    assert count(runtime, ProgressUpdate) == 2 and count(runtime, UpdateRevision) == 2
    with runtime.unit(TEAM) as (session, ws):
        project = projects.get(session, ws, "NET-01")
        latest = updates.latest(session, ws, project)
        assert latest is not None and latest.id == second.update_id
        by_owner = updates.latest_by(session, ws, project, OWNER)
        assert by_owner is not None and by_owner.id == first.update_id
        assert updates.latest_by(session, ws, project, STRANGER) is None
        assert updates.latest(session, ws, projects.get(session, ws, "MOB-01")) is None


def test_of_two_updates_made_at_the_same_moment_the_later_row_is_the_latest(runtime, workplan):
    post(runtime, "NET-01", OWNER, now=START)
    second = post(runtime, "NET-01", OWNER, now=START)
    with runtime.unit(TEAM) as (session, ws):
        project = projects.get(session, ws, "NET-01")
        latest, latest_by = updates.latest(session, ws, project), updates.latest_by(session, ws, project, OWNER)
        assert latest is not None and latest_by is not None
        assert latest.id == latest_by.id == second.update_id


def test_get_loads_an_update_with_its_project_and_result_of_reads_it_back(runtime, workplan):
    posted = post(runtime, "PCI-01", ADMIN, text=UpdateText(rag=Rag.RED, progress=TYPED, risks="Auditor"))
    with runtime.unit(TEAM) as (session, ws):
        update = updates.get(session, ws, posted.update_id)
        assert update.project.ref == "PCI-01"
        assert updates.result_of(update) == posted
        with pytest.raises(DomainError) as err:
            updates.get(session, ws, posted.update_id + 1000)
    assert err.value.message == "That update no longer exists."


# -- who may update ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "is_admin"),
    [(OWNER, False), (DELEGATE, False), (STRANGER, True)],
    ids=["owner", "delegate", "admin"],
)
def test_the_owner_a_delegate_or_an_admin_may_update(runtime, workplan, user, is_admin):
    result = post(runtime, "NET-01", user, is_admin=is_admin)
    assert result.author == user
    assert count(runtime, ProgressUpdate) == 1


def test_anyone_else_is_refused_with_who_may_and_nothing_is_written(runtime, workplan):
    with runtime.unit(TEAM) as (session, ws):
        net = projects.get(session, ws, "NET-01")
        mob = projects.get(session, ws, "MOB-01")
        assert not updates.may_update(net, STRANGER, False)
        assert updates.may_update(net, DELEGATE, False) and updates.may_update(net, STRANGER, True)
        with pytest.raises(NotAllowed) as on_net:
            updates.post(
                session, ws, net, user_id=STRANGER, is_admin=False, text=TEXT, source=UpdateSource.COMMAND, now=START
            )
        # A delegate of one project is nobody on another.
        with pytest.raises(NotAllowed) as on_mob:
            updates.post(
                session, ws, mob, user_id=DELEGATE, is_admin=False, text=TEXT, source=UpdateSource.COMMAND, now=START
            )
    assert SLACK(on_net.value.text) == (
        "Only the owner or a delegate of `NET-01` (<@U0OWNER>, <@U0DELEG>) or an ICT admin can update it. "
        "Ask the owner to add you as a delegate, or to post the update."
    )
    assert on_net.value.message.startswith("Only the owner or a delegate of `NET-01` (U0OWNER, U0DELEG) or an ICT")
    assert TEAMS(on_net.value.text).startswith(
        "Only the owner or a delegate of `NET-01` or an ICT admin can update it."
    )
    assert on_net.value.field == "project"
    assert "`MOB-01` (<@U0OWNER>) or an ICT admin" in SLACK(on_mob.value.text)
    assert count(runtime, ProgressUpdate) == 0 and count(runtime, UpdateRevision) == 0


@pytest.mark.parametrize("status", [ProjectStatus.COMPLETE, ProjectStatus.CLOSED])
def test_a_finished_project_takes_no_update_even_from_an_admin(runtime, workplan, status):
    finish(runtime, "NET-01", status)
    with runtime.unit(TEAM) as (session, ws):
        project = projects.get(session, ws, "NET-01")
        with pytest.raises(ProjectFinished) as err:
            updates.post(
                session, ws, project, user_id=ADMIN, is_admin=True, text=TEXT, source=UpdateSource.COMMAND, now=START
            )
    assert SLACK(err.value.text) == (
        f"`NET-01` is {status.value}, so it takes no more updates or corrections. "
        "If work on it has started again, an ICT admin can reopen it with `/ict-project reopen REF`."
    )
    assert TEAMS(err.value.text).endswith("an ICT admin can reopen it with `project reopen REF`.")
    assert err.value.message.endswith("import it again with status active (`ictbot projects import`).")
    assert (err.value.ref, err.value.field) == ("NET-01", "project")
    assert count(runtime, ProgressUpdate) == 0


def test_on_a_finished_project_someone_not_allowed_hears_that_first(runtime, workplan):
    finish(runtime, "NET-01")
    with runtime.unit(TEAM) as (session, ws), pytest.raises(NotAllowed):
        updates.check_may_update(projects.get(session, ws, "NET-01"), STRANGER, False)


@pytest.mark.parametrize("status", [ProjectStatus.PLANNED, ProjectStatus.ON_HOLD])
def test_a_planned_or_on_hold_project_still_takes_updates(runtime, workplan, status):
    finish(runtime, "NET-01", status)
    assert post(runtime, "NET-01", OWNER).revision == 1


def test_a_reopened_project_takes_updates_again(runtime, workplan):
    finish(runtime, "NET-01")
    with runtime.unit(TEAM) as (session, ws):
        projects.reopen(session, ws, "NET-01", now=START)
    assert post(runtime, "NET-01", OWNER).project_ref == "NET-01"


# -- corrections: a new revision, the earlier text kept ---------------------------------------------


def test_a_correction_adds_a_revision_and_keeps_the_earlier_text(runtime, workplan):
    posted = post(runtime, "NET-01", DELEGATE, text=UpdateText(rag=Rag.AMBER, progress="Late", risks="Supplier"))
    later = START + timedelta(hours=2)

    result = correct(runtime, posted.update_id, DELEGATE, UpdateText(rag=Rag.GREEN, progress="On time"), now=later)

    assert (result.update_id, result.revision, result.rag, result.progress, result.risks) == (
        posted.update_id,
        2,
        Rag.GREEN,
        "On time",
        "",
    )
    assert (result.created_at, result.author) == (START, DELEGATE)  # the update's time and author stay
    assert revisions(runtime, posted.update_id) == [
        (1, Rag.AMBER, "Late", "", "Supplier", DELEGATE, START),
        (2, Rag.GREEN, "On time", "", "", DELEGATE, later),
    ]
    third = correct(runtime, posted.update_id, DELEGATE, UpdateText(rag=Rag.RED, progress="Late again"), now=later)
    assert third.revision == 3 and count(runtime, ProgressUpdate) == 1


def test_an_admin_may_correct_anyone_s_update_and_is_named_as_its_editor(runtime, workplan):
    posted = post(runtime, "NET-01", OWNER)
    later = START + timedelta(minutes=5)

    result = correct(
        runtime, posted.update_id, ADMIN, UpdateText(rag=Rag.RED, progress="Fixed"), now=later, is_admin=True
    )

    assert result.author == OWNER
    assert revisions(runtime, posted.update_id)[-1] == (2, Rag.RED, "Fixed", "", "", ADMIN, later)


def test_only_the_author_may_correct_not_even_the_project_s_owner(runtime, workplan):
    posted = post(runtime, "NET-01", DELEGATE)
    with runtime.unit(TEAM) as (session, ws):
        update = updates.get(session, ws, posted.update_id)
        with pytest.raises(NotAllowed) as err:
            updates.correct(session, ws, update, user_id=OWNER, is_admin=False, text=TEXT, now=START)
    assert err.value.message == "Only the officer who posted an update, or an ICT admin, can correct it."
    assert len(revisions(runtime, posted.update_id)) == 1


def test_an_update_on_a_finished_project_cannot_be_corrected(runtime, workplan):
    posted = post(runtime, "NET-01", OWNER)
    finish(runtime, "NET-01", ProjectStatus.CLOSED)
    with runtime.unit(TEAM) as (session, ws):
        update = updates.get(session, ws, posted.update_id)
        with pytest.raises(ProjectFinished, match="`NET-01` is closed"):
            updates.correct(session, ws, update, user_id=ADMIN, is_admin=True, text=TEXT, now=START)
    assert len(revisions(runtime, posted.update_id)) == 1


def test_correct_latest_corrects_the_user_s_own_latest_update_not_a_later_one_by_someone_else(runtime, workplan):
    older = post(runtime, "NET-01", DELEGATE, now=START)
    mine = post(runtime, "NET-01", DELEGATE, now=START + timedelta(hours=1))
    owners = post(runtime, "NET-01", OWNER, now=START + timedelta(hours=2))
    with runtime.unit(TEAM) as (session, ws):
        project = projects.get(session, ws, "NET-01")
        result = updates.correct_latest(
            session, ws, project, user_id=DELEGATE, is_admin=False, text=UpdateText(Rag.RED, "Fixed"), now=START
        )
    assert (result.update_id, result.revision) == (mine.update_id, 2)
    assert len(revisions(runtime, older.update_id)) == 1 and len(revisions(runtime, owners.update_id)) == 1


def test_correct_latest_without_an_update_of_one_s_own_says_how_to_post_one(runtime, workplan):
    post(runtime, "NET-01", OWNER)
    with runtime.unit(TEAM) as (session, ws):
        project = projects.get(session, ws, "NET-01")
        with pytest.raises(DomainError) as err:
            updates.correct_latest(session, ws, project, user_id=DELEGATE, is_admin=False, text=TEXT, now=START)
    assert SLACK(err.value.text) == (
        "You have no update on `NET-01` to correct. Post one with `/ict-update NET-01 green what was done`."
    )
    assert TEAMS(err.value.text).endswith("`update NET-01 green what was done`.")


# -- the one-line form -------------------------------------------------------------------------------


def test_the_one_line_form_posts_an_update_from_a_command(runtime, workplan):
    form = quickform.parse("net-01 amber Links late | next: chase | risks: budget")
    with runtime.unit(TEAM) as (session, ws):
        project = projects.get(session, ws, form.ref)
        result = updates.apply_quick_form(session, ws, project, form, user_id=OWNER, is_admin=False, now=START)
    assert (result.project_ref, result.rag, result.progress, result.next_steps, result.risks, result.source) == (
        "NET-01",
        Rag.AMBER,
        "Links late",
        "chase",
        "budget",
        UpdateSource.COMMAND,
    )


def test_the_one_line_edit_form_corrects_the_user_s_latest_update(runtime, workplan):
    posted = post(runtime, "NET-01", OWNER)
    form = quickform.parse("edit NET-01 green Links done")
    with runtime.unit(TEAM) as (session, ws):
        project = projects.get(session, ws, form.ref)
        result = updates.apply_quick_form(session, ws, project, form, user_id=OWNER, is_admin=False, now=START)
    assert (result.update_id, result.revision, result.progress) == (posted.update_id, 2, "Links done")
    assert count(runtime, ProgressUpdate) == 1


@pytest.mark.parametrize("typed", ["", "help", "mine"])
def test_a_form_that_carries_no_update_is_a_caller_bug(runtime, workplan, typed):
    form = quickform.parse(typed)
    with runtime.unit(TEAM) as (session, ws):
        project = projects.get(session, ws, "NET-01")
        with pytest.raises(ValueError, match=f"a {form.kind} form carries no update"):
            updates.apply_quick_form(session, ws, project, form, user_id=OWNER, is_admin=False, now=START)
    assert count(runtime, ProgressUpdate) == 0


# -- "no change this month" ---------------------------------------------------------------------------


def carry(
    runtime: Runtime, user: str, *, now: datetime, since: datetime | None, is_admin: bool = False
) -> UpdateResult:
    with runtime.unit(TEAM) as (session, ws):
        project = projects.get(session, ws, "NET-01")
        return updates.carry_forward(
            session, ws, project, user_id=user, is_admin=is_admin, now=now, tz=LONDON, since=since
        )


def test_no_change_carries_the_current_rag_forward_and_says_from_when_in_local_time(runtime, workplan):
    # 23:30 UTC on 30 June is 00:30 on 1 July in London (BST).
    posted = post(
        runtime, "NET-01", OWNER, text=UpdateText(Rag.GREEN, "Fine"), now=datetime(2026, 6, 30, 23, 30, tzinfo=UTC)
    )
    correct(
        runtime, posted.update_id, OWNER, UpdateText(Rag.AMBER, "Not so fine"), now=datetime(2026, 7, 2, tzinfo=UTC)
    )
    now = datetime(2026, 8, 3, 9, tzinfo=UTC)

    result = carry(runtime, DELEGATE, now=now, since=datetime(2026, 7, 15, tzinfo=UTC))

    assert (result.rag, result.progress, result.source, result.author, result.created_at, result.revision) == (
        Rag.AMBER,  # the corrected RAG, not the first one
        "No change this month: status carried forward from the update of 1 Jul 2026.",
        UpdateSource.REMINDER,
        DELEGATE,
        now,
        1,
    )
    assert result.update_id != posted.update_id and count(runtime, ProgressUpdate) == 2


def test_no_change_without_a_period_carries_forward_whenever_the_last_update_was(runtime, workplan):
    post(runtime, "NET-01", OWNER, text=UpdateText(Rag.RED, "Blocked"), now=START)
    result = carry(runtime, OWNER, now=START + timedelta(minutes=1), since=None)
    assert result.rag is Rag.RED


@pytest.mark.parametrize("since", [datetime(2026, 6, 30, 23, 0, tzinfo=UTC), datetime(2026, 6, 30, 23, 30, tzinfo=UTC)])
def test_no_change_is_refused_when_the_project_was_already_updated_in_the_period(runtime, workplan, since):
    post(runtime, "NET-01", OWNER, now=datetime(2026, 6, 30, 23, 30, tzinfo=UTC))
    with pytest.raises(DomainError) as err:
        carry(runtime, OWNER, now=datetime(2026, 7, 3, tzinfo=UTC), since=since)
    assert err.value.message == (
        "`NET-01` was already updated on 1 Jul 2026 00:30, so it is up to date for this meeting."
    )
    assert count(runtime, ProgressUpdate) == 1


def test_no_change_on_a_project_never_updated_asks_for_a_first_update(runtime, workplan):
    with pytest.raises(DomainError) as err:
        carry(runtime, OWNER, now=START, since=START - timedelta(days=30))
    assert SLACK(err.value.text) == (
        "`NET-01` has no earlier update to carry forward. Use *Post update* (or "
        "`/ict-update NET-01 green what was done`) for its first one."
    )
    assert count(runtime, ProgressUpdate) == 0


def test_no_change_checks_who_may_and_a_finished_project_before_looking_for_an_update(runtime, workplan):
    with pytest.raises(NotAllowed):
        carry(runtime, STRANGER, now=START, since=None)
    finish(runtime, "NET-01")
    with pytest.raises(ProjectFinished):  # not "no earlier update"
        carry(runtime, OWNER, now=START, since=None)


# -- the limits of an update's text -----------------------------------------------------------------


def test_text_at_each_limit_is_stored_and_read_back_whole(runtime, workplan):
    def long(n: int) -> str:
        return ("é🚀 <&> " * n)[:n]

    text = quickform.validate(
        Rag.GREEN,
        long(quickform.MAX_PROGRESS),
        long(quickform.MAX_NEXT_STEPS),
        long(quickform.MAX_RISKS) + "\n",  # surrounding whitespace is trimmed, not counted
    )
    posted = post(runtime, "NET-01", OWNER, text=text)
    [(_, _, progress, next_steps, risks, _, _)] = revisions(runtime, posted.update_id)
    assert (progress, next_steps, risks) == (long(2000), long(1000), long(1000))


@pytest.mark.parametrize(
    ("field", "label", "limit"),
    [("progress", "Progress", 2000), ("next_steps", "Next steps", 1000), ("risks", "Risks/issues", 1000)],
)
def test_text_over_a_limit_is_refused_naming_the_field_and_its_length(field, label, limit):
    fields = {"progress": "Done", field: "x" * (limit + 1)}
    with pytest.raises(InvalidInput) as err:
        quickform.validate(Rag.GREEN, **fields)
    assert err.value.field == field
    assert err.value.message.startswith(f"{label} is {limit + 1:,} characters; the limit is {limit:,} so that it fits")


@pytest.mark.parametrize(("field", "label"), [("progress", "Progress"), ("risks", "Risks/issues")])
def test_control_characters_are_refused_in_any_field(field, label):
    fields = {"progress": "Done", field: "bell\x07"}
    with pytest.raises(InvalidInput) as err:
        quickform.validate(Rag.AMBER, **fields)
    assert (err.value.field, err.value.message) == (
        field,
        f"{label} contains control characters; please retype it as plain text.",
    )


def test_empty_progress_is_refused():
    with pytest.raises(InvalidInput) as err:
        quickform.validate(Rag.GREEN, "   ", next_steps="Something")
    assert err.value.field == "progress"
    assert err.value.message.startswith("Say what was done: the update's progress text is empty.")


# -- one workspace never reaches another's -----------------------------------------------------------


def test_another_workspace_s_project_and_updates_are_never_reached(runtime, workplan):
    posted = post(runtime, "NET-01", OWNER)
    with runtime.unit(OTHER_TEAM) as (session, other):
        ws = workspaces.find(session, TEAM)
        assert ws is not None
        theirs = projects.get(session, ws, "NET-01")
        with pytest.raises(DomainError, match=re.escape("There is no project `NET-01`")):
            projects.get(session, other, "NET-01")
        assert updates.latest(session, other, theirs) is None
        assert updates.latest_by(session, other, theirs, OWNER) is None
        with pytest.raises(DomainError) as lookup:
            updates.get(session, other, posted.update_id)
        with pytest.raises(DomainError) as posting:  # even an admin's, even with the project object in hand
            updates.post(
                session, other, theirs, user_id=ADMIN, is_admin=True, text=TEXT, source=UpdateSource.COMMAND, now=START
            )
        with pytest.raises(DomainError) as correcting:
            updates.correct(
                session,
                other,
                updates.get(session, ws, posted.update_id),
                user_id=OWNER,
                is_admin=True,
                text=TEXT,
                now=START,
            )
    assert lookup.value.message == "That update no longer exists."
    assert posting.value.message == "That project belongs to another workspace."
    assert correcting.value.message == "That update belongs to another workspace."
    assert count(runtime, ProgressUpdate) == 1 and len(revisions(runtime, posted.update_id)) == 1


def test_the_same_ref_in_two_workspaces_keeps_its_updates_apart(runtime, workplan):
    mine = post(runtime, "NET-01", OWNER)
    with runtime.unit(OTHER_TEAM) as (session, other):
        project = projects.add(
            session, other, ref="NET-01", title="Their network", priority="ARCH", owner=OWNER, now=START
        )
        assert updates.latest(session, other, project) is None
        theirs = updates.post(
            session, other, project, user_id=OWNER, is_admin=False, text=TEXT, source=UpdateSource.COMMAND, now=START
        )
        assert theirs.project_title == "Their network"
    with runtime.unit(TEAM) as (session, ws):
        latest = updates.latest(session, ws, projects.get(session, ws, "NET-01"))
        assert latest is not None and latest.id == mine.update_id
        with pytest.raises(DomainError, match="no longer exists"):
            updates.get(session, ws, theirs.update_id)
