# ruff: noqa: E501 - seed 001's paragraphs, word for word
"""Seed 001 end to end: the Work Plan, the officers' updates and the chair's narrative entered in Slack,
one settings file, and `ictbot report` writes the paper a clerk tables; read back with python-docx.

The activities are seed 001's (the 2016 progress report to Darlington's Audit Committee), posted in the
report period they belong to (April to September 2026 here); the paper is made on 24 November 2026,
signed off in chat, and checked paragraph by paragraph against the seed's structure.
"""

from __future__ import annotations

from datetime import UTC, datetime
from importlib.resources import files

import docx
import pytest

from bot.services import roles
from models import Role
from tests.cli.conftest import Ictbot
from tests.conftest import ADMIN
from tests.helpers import last_reply, shown

CHAIR = "U0CHAIR"
ARCHITECT, SECURITY, SERVICES = "U0ARCH", "U0SEC", "U0BDEV"
EXAMPLE = files("bot") / "data" / "report_settings_example.yaml"

# (ref, priority, owner, title, the update that seed 001 prints for it)
ARCHITECTURE = [
    (
        "NET-01",
        "Council network refresh",
        "Continuing the roll-out of a new ICT network across the Council, with all network equipment now refreshed and some remaining links to be upgraded.",
    ),
    (
        "MOB-01",
        "Mobile carrier",
        "Completion of the procurement exercise for a new mobile carrier for the Council's mobile phones, tablets and laptops. Work is now underway planning the cut-across from old to new providers.",
    ),
    ("GIS-01", "GIS upgrades", "Upgrades to the GIS (Graphical Information System) tools and systems."),
    (
        "EFORM-01",
        "E-forms",
        "The procurement of a new e-forms solution to further develop on-line services via the Council's website.",
    ),
    (
        "SRV-01",
        "Server management",
        "Seamless upgrades of several server management and ICT management systems, with no downtime or impact on services.",
    ),
    (
        "SEC-01",
        "Security and resilience",
        "Completion of further works in relation to ICT security and resilience, particularly in relation to anti-virus and threat detection.",
    ),
]
GOVERNANCE = [
    ("PCI-01", "PCI DSS compliance", "Q1 PCI DSS quarterly test passed."),
    ("PSN-01", "PSN submission", "The Council's annual PSN (Public Services Network) submission is complete."),
]
SERVICE_SPECIFIC = [f"SVC-0{i}" for i in range(1, 7)]

POSITION = (
    "A revised strategy is being developed which builds upon the current strategy which has come to the end of "
    "its three year life. Progress on the themes of the existing ICT Strategy are described below and future "
    "reports to this committee will reflect the new ICT Strategy going forward."
)
NARRATIVE = {
    "SD": (
        "All ICT service improvement activities are identified in the ICT Service Improvement Programme and this is "
        "managed and monitored by the ICT Management Team, supported by the ICT Process Excellence & Planning Officer.\n\n"
        "The ICT Service Improvement Programme has also been informed by the outcomes of national benchmarking "
        "exercises with SOCITM (The Society of IT Management) and CIPFA (The Chartered Institute of Public Finance "
        "and Accountancy), as well as the governance activities outlined below."
    ),
    "GOV": (
        "The Systems and Information Governance Group (which is the Chief Officers Board of Assistant Directors, but "
        "chaired by the Director of Neighbourhood Services & Resources for this purpose) undertakes an ICT Strategy "
        "monitoring role as well as overseeing and approving the ICT Work Plan.\n\n"
        "Since the last update to Members, ICT Services have continued to pass PCI DSS quarterly tests. ICT have also "
        "completed the Council's annual PSN (Public Services Network) submission."
    ),
    "ARCH": (
        "Progress has been made on a number of architecture projects during the last six months, many of which take "
        "place behind the scenes."
    ),
    "BD": (
        "The service based Information & Systems Strategies inform the ICT Work Plan and this drives customer projects "
        "within the ICT service. The overall ICT Work Plan is monitored on a monthly cycle at the Systems and "
        "Information Governance Group.\n\n"
        "As well as the central ICT architecture projects listed above, a further six service specific projects have "
        "been completed since the last progress report to this committee."
    ),
    "WF": (
        "An on-going comprehensive technical training programme exists for the ICT teams, as well as middle "
        "management training where appropriate.\n\n"
        "The End User Computing sub-team continue to assist ICT users in their use and exploitation of ICT through "
        "on-going support, on-site visits, briefings and demonstration days."
    ),
}


def at(clock, *when: int) -> None:
    clock.now = datetime(*when, tzinfo=UTC)


@pytest.fixture
def chair(runtime, standin) -> str:
    with runtime.unit(standin.team_id) as (session, ws):
        roles.grant(session, ws, CHAIR, Role.CHAIR, by=ADMIN, now=runtime.now())
    return CHAIR


def said(standin) -> str:
    return shown(last_reply(standin))


def test_seed_001_through_chat_makes_the_paper_a_clerk_tables(slack, standin, runtime, clock, chair, db_url, tmp_path):
    start = clock.now
    # The people, as Slack knows them (the paper names who approved it; owners are left out of its prose).
    standin.add_user(CHAIR, name="Dawn Hall", title="Director of Neighbourhood Services & Resources")
    for user_id, name in ((ARCHITECT, "Ann Archer"), (SECURITY, "Sam Secure"), (SERVICES, "Bea Dev")):
        standin.add_user(user_id, name=name)
    # March: the Work Plan, entered by the ICT admin.
    at(clock, 2026, 3, 2, 9)
    for ref, title, _ in ARCHITECTURE:
        slack.command("/ict-project", f"add {ref} ARCH <@{ARCHITECT}> {title}", user_id=ADMIN)
    for ref, title, _ in GOVERNANCE:
        slack.command("/ict-project", f"add {ref} GOV <@{SECURITY}> {title}", user_id=ADMIN)
    for i, ref in enumerate(SERVICE_SPECIFIC, start=1):
        slack.command("/ict-project", f"add {ref} BD <@{SERVICES}> Service project {i}", user_id=ADMIN)
    assert "SVC-06" in said(standin)

    # April to September: the officers' updates, and six service projects completed.
    at(clock, 2026, 6, 15, 10)
    for ref, _, progress in ARCHITECTURE:
        slack.command("/ict-update", f"{ref} green {progress}", user_id=ARCHITECT)
        assert "Saved" in said(standin) or "saved" in said(standin)
    slack.command("/ict-update", f"PCI-01 green {GOVERNANCE[0][2]}", user_id=SECURITY)
    slack.command("/ict-update", f"PSN-01 green {GOVERNANCE[1][2]}", user_id=SECURITY)
    at(clock, 2026, 9, 1, 10)
    slack.command("/ict-update", "PCI-01 green Q2 PCI DSS quarterly test passed.", user_id=SECURITY)
    for ref in SERVICE_SPECIFIC:
        slack.command("/ict-update", f"{ref} green Delivered to the service.", user_id=SERVICES)
        slack.command("/ict-project", f"complete {ref}", user_id=ADMIN)

    # November: the chair writes the narrative in chat (one section in the form) and signs the paper off.
    clock.now = start
    slack.command("/ict-report", f"position {POSITION}", user_id=chair)
    for code, text in NARRATIVE.items():
        if code == "GOV":
            continue
        slack.command("/ict-report", f"narrative {code} {text}", user_id=chair)
        assert "Saved the narrative" in said(standin)
    slack.command("/ict-report", "narrative ICT Governance", user_id=chair)
    from tests.helpers import opened_view

    assert slack.submit_view(opened_view(standin), {"text": NARRATIVE["GOV"]}, user_id=chair).status == 200
    slack.command("/ict-report", "", user_id=chair)
    draft = said(standin)
    assert "*No update in the period*" not in draft and "Every active project has an update" in draft
    slack.command("/ict-report", "signoff", user_id=chair)
    assert "You approved the committee paper for 1 April 2026 to 30 September 2026" in said(standin)

    # The clerk: one settings file, then the paper.
    ictbot = Ictbot(db_url, clock)
    assert ictbot("report", "settings", "load", str(EXAMPLE), "--team", standin.team_id).exit_code == 0
    refreshed = ictbot.with_slack(standin)("people", "refresh", "--team", standin.team_id)
    assert refreshed.exit_code == 0, refreshed.stderr  # the directory knows every owner by name
    target = tmp_path / "paper.docx"
    result = ictbot(
        "report", "--meeting", "2026-12-14", "--item", "7", "--team", standin.team_id, "--output", str(target)
    )
    assert result.exit_code == 0, result.stderr
    assert "changed since" not in result.stderr

    document = docx.Document(str(target))
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs if p.text.strip()]
    texts = [t for _, t in paragraphs]
    headings = [t for s, t in paragraphs if s.startswith("Heading")]

    # Seed 001's structure, in its order.
    assert texts[:3] == [
        "ITEM NO. 7",
        "AUDIT COMMITTEE – 14 DECEMBER 2026",
        "ICT STRATEGY – IMPLEMENTATION PROGRESS REPORT",
    ]
    assert headings[0] == "Exceptions"  # the paper opens with them
    assert headings[1:] == [
        "SUMMARY REPORT",
        "Purpose of the Report",
        "Summary",
        "Recommendation",
        "Reasons",
        "Background Papers",
        "MAIN REPORT",
        "ICT Service Development",
        "ICT Governance",
        "ICT Strategic Architecture",
        "Business Development",
        "ICT Competent Workforce",
        "Projects completed since the last report to this committee",
        "Outcome of Consultation",
    ]
    numbered = [t for s, t in paragraphs if s == "Report Paragraph"]
    assert numbered[0] == (
        "The Chief Officers Board (COB) is required to report six monthly to the Audit Committee on progress in "
        "relation to the implementation of the ICT Strategy 2014–2016."
    )
    assert numbered[1] == "The ICT Strategy 2014–2016 focusses on five strategic priorities:"
    assert "It is recommended that progress on the implementation of the ICT Strategy be noted." in numbered
    # The author, their approval, the background papers and the contact, after the reasons.
    reasons = texts.index("Reasons")
    assert texts[reasons + 2 : reasons + 7] == [
        "Ian Miles\nAssistant Director – Xentrall Shared Services",
        "Approved by Dawn Hall on 24 November 2026.",
        "Background Papers",
        "Darlington ICT Strategy 2014 - 2016",
        "Ian Miles – Extension 157012",
    ]
    # The implications table, as the settings give it.
    implications = document.tables[0]
    assert [row.cells[0].text for row in implications.rows][:3] == [
        "S17 Crime and Disorder",
        "Health and Well Being",
        "Carbon Impact",
    ]
    assert implications.rows[0].cells[1].text == "There is no specific crime and disorder impact."
    # The main report opens with the position, then each priority with the chair's narrative first.
    main = texts.index("MAIN REPORT")
    assert texts[main + 1] == POSITION
    for code, name in (("SD", "ICT Service Development"), ("GOV", "ICT Governance"), ("WF", "ICT Competent Workforce")):
        section = texts.index(name, main)
        expected = [p.replace("\n", " ") for p in NARRATIVE[code].split("\n\n")]
        assert texts[section + 1 : section + 1 + len(expected)] == expected
    # Architecture: the narrative, then seed 001's activities (a) to (f) as the officers wrote them.
    arch = texts.index("ICT Strategic Architecture", main)
    assert texts[arch + 1] == NARRATIVE["ARCH"]
    items = [t for s, t in paragraphs[arch + 1 :] if s == "Report Item"][: len(ARCHITECTURE)]
    assert items == [f"{title}: {progress}" for _, title, progress in sorted(ARCHITECTURE)]
    # Committee prose: no Work Plan references or RAG in the activities (show_refs and show_rag are off).
    assert not any("NET-01" in t or "Green" in t for t in items)
    # The six service-specific projects are completed in the period, and the paper ends with the consultation.
    bd = texts.index("Business Development", main)
    assert "Six projects under this priority have been completed since the last report to this committee:" in texts[bd:]
    assert (
        "Six projects have been completed since the last report to this committee, all under Business Development."
        in numbered
    )
    assert texts[-1] == "There has been no formal consultation in the preparation of this report."
    assert not [t for t in texts if "U0" in t or "Ann Archer" in t]  # no chat ID anywhere; owners left out
