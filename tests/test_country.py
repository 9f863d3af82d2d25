"""Country editions: drift of overrides, the diff report, the registry annexes, the referral
pathway, national text standing in for a missing translation, and scaffolding a new country."""

from __future__ import annotations

from pathlib import Path

from atlas_etp.pathway import chain_rows
from atlas_etp.schema import Registry

from conftest import edit, require_complete_translations

COUNTRY = "content/testland/country.yaml"
GLOBAL_SESSION = "content/global/en/m1-basics/s01-intro.md"
STALE = "the global text this national text was written for has changed"


def build_html(cli, mini: Path, lang: str = "en") -> str:
    result = cli("build", "--root", mini, "--country", "testland", "--lang", lang, "--format", "html",
                 "--edition", "facilitator-guide", "--out", mini / "build")
    assert result.exit_code == 0, result.stderr
    return (mini / f"build/testland/{lang}/atlas-etp-testland-{lang}-facilitator-guide.html").read_text("utf-8")


def test_drift_is_reported_marked_and_cleared_by_review(mini, cli):
    result = cli("check", "--root", mini)
    assert result.exit_code == 0
    assert "country.yaml:19:1: warning: the override of m1.s01/key-messages does not record" in result.stderr
    assert cli("review", "--root", mini, "--country", "testland", "m1.s01/key-messages").exit_code == 0
    assert "against: " in (mini / COUNTRY).read_text("utf-8")
    assert "warning" not in cli("check", "--root", mini).stderr
    assert STALE not in build_html(cli, mini)

    edit(mini / GLOBAL_SESSION, "## Key messages {#key-messages}\n", "## Key messages {#key-messages}\n\nA new line.\n")
    result = cli("check", "--root", mini)
    assert result.exit_code == 0  # a warning in a draft …
    assert "warning: the override of m1.s01/key-messages may be stale" in result.stderr
    assert "content/global/en/m1-basics/s01-intro.md:39" in result.stderr
    assert "then run: atlas-etp review --country testland m1.s01/key-messages" in result.stderr
    assert "may be stale" in cli("check", "--release", "--root", mini).stderr  # … an error in a release
    assert STALE in build_html(cli, mini)
    assert STALE not in build_html(cli, mini, "th").split("chapter-")[0]  # cover and contents stay clean

    assert cli("review", "--root", mini, "--country", "testland", "--all").exit_code == 0
    assert "may be stale" not in cli("check", "--root", mini).stderr
    assert STALE not in build_html(cli, mini)


def test_review_refuses_unknown_targets_and_empty_calls(mini, cli):
    before = (mini / COUNTRY).read_text("utf-8")
    result = cli("review", "--root", mini, "--country", "testland", "m1.s09")
    assert result.exit_code == 2 and "testland has no override of m1.s09" in result.stderr
    assert cli("review", "--root", mini, "--country", "testland").exit_code == 2
    assert (mini / COUNTRY).read_text("utf-8") == before


def test_diff_lists_overrides_and_facts_and_writes_a_side_by_side_report(mini, cli):
    result = cli("diff", "--root", mini, "--country", "testland", "--out", mini / "build")
    assert result.exit_code == 0, result.stderr
    assert "1. line 19   replace       m1.s01/key-messages" in result.stdout
    assert "content/testland/en/key-messages.md  [unrecorded]" in result.stdout
    assert "national facts: 3 (2 checked, 1 awaiting legal review)" in result.stdout
    report = (mini / "build/testland/en/atlas-etp-testland-en-changes.html").read_text("utf-8")
    assert "In Testland, call the hotline." in report  # the national text …
    global_text = (mini / GLOBAL_SESSION).read_text("utf-8").split("::: key-messages\n")[1].splitlines()[0]
    assert global_text.lstrip("- ") in report  # … beside the global text it replaces
    assert "Testland Gazette" in report


def test_unconfirmed_facts_are_annexed_and_can_block_a_release(mini, cli):
    page = build_html(cli, mini)
    review = page.split('id="legal-review"')[1].split("</section>")[0]
    assert "Facts awaiting legal review" in review and "1234 — Test hotline" in review
    assert "Anti-Trafficking Act 2001" not in review  # a checked fact is not awaiting review
    sources = page.split('id="national-sources"')[1]
    assert "Anti-Trafficking Act 2001" in sources and "Testland Gazette" in sources

    assert "hotlines: trafficking is awaiting legal review" not in cli("check", "--release", "--root", mini).stderr
    edit(mini / COUNTRY, "paper: A4\n", "paper: A4\nrelease:\n  require_confirmed_facts: true\n")
    result = cli("check", "--release", "--root", mini)
    assert "country.yaml:17:7: error: hotlines: trafficking is awaiting legal review" in result.stderr


PATHWAY_AGENCIES = """  agencies:
    inspection:
      name: {en: Labour Inspectorate, th: สำนักงานตรวจแรงงาน}
      short: {en: Inspectors, th: ผู้ตรวจ}
      refers_to: [police, shelter]
      source: Testland Gazette
      checked: 2026-11-01
    police:
      name: {en: Testland Police, th: ตำรวจ}
      refers_to: [shelter]
      source: Testland Gazette
      status: unconfirmed
    shelter:
      name: {en: Victim Shelter, th: บ้านพักผู้เสียหาย}
      refers_to: [police]
      source: Testland Gazette
      checked: 2026-11-01
  hotlines:
"""


def test_the_referral_pathway_is_drawn_from_the_registry(mini, cli):
    edit(mini / COUNTRY, "  hotlines:\n", PATHWAY_AGENCIES)
    for lang in ("en", "th"):
        edit(mini / f"content/testland/{lang}/key-messages.md", ":::\n", ":::\n\n::: pathway The pathway\n:::\n")
    page = build_html(cli, mini)
    figure = page.split('<figure class="pathway">')[1].split("</figure>")[0]
    assert figure.count("<rect") == 3 and figure.count("<path d=") == 4 + 1  # three boxes, four arrows, the arrowhead
    assert ">Inspectors<" in figure and "<figcaption>The pathway</figcaption>" in figure
    assert 'stroke-dasharray' in figure  # the unconfirmed police box is drawn dashed
    thai = build_html(cli, mini, "th")
    assert ">ผู้ตรวจ<" in thai.split('<figure class="pathway">')[1]

    edit(mini / COUNTRY, "refers_to: [shelter]", "refers_to: [shelterr]")
    result = cli("check", "--root", mini)
    assert "country.yaml:19:19: error: there is no agency 'shelterr' in this registry — did you mean 'shelter'?" \
        in result.stderr


def test_a_pathway_without_links_is_an_error_at_its_line(mini, cli):
    edit(mini / "content/testland/en/key-messages.md", ":::\n", ":::\n\n::: pathway The pathway\n:::\n")
    result = cli("check", "--root", mini)
    assert "content/testland/en/key-messages.md:7:1: error: the registry has no referral links to draw" \
        in result.stderr


def test_pathway_rows_follow_the_chain_and_ignore_loops():
    registry = Registry.model_validate({"agencies": {
        key: {"name": {"en": key}, "refers_to": targets, "source": "src", "checked": "2026-01-01"}
        for key, targets in {"a": ["b", "c"], "b": ["d"], "c": ["d"], "d": ["b"], "e": []}.items()}})
    assert chain_rows(registry) == [["a"], ["b", "c"], ["d"]]


def test_a_missing_national_translation_falls_back_to_english_marked(mini, cli):
    (mini / "content/testland/th/key-messages.md").unlink()
    page = build_html(cli, mini, "th")
    assert "In Testland, call the hotline." in page
    assert "ยังไม่ได้แปล: แสดงข้อความภาษาอังกฤษ" in page  # the banner, in the edition language
    require_complete_translations(mini)
    result = cli("check", "--release", "--root", mini)
    assert "content/testland/th/key-messages.md:1:1: error: not yet translated into 'th': key-messages" in result.stderr


def test_national_sessions_are_numbered_after_the_session_they_follow(mini, cli):
    session = (mini / GLOBAL_SESSION).read_text("utf-8").replace("id: m1.s01", "id: m1.s51")
    for lang in ("en", "th"):
        (mini / f"content/testland/{lang}/extra.md").write_text(session, encoding="utf-8")
    edit(mini / COUNTRY, "overrides:\n", "overrides:\n  - insert_after: m1.s01\n    with: extra.md\n")
    page = build_html(cli, mini)
    assert "Session 1.1a" in page and "Session 1.2" in page


def test_new_country_builds_at_once_with_every_gap_marked(mini, cli):
    result = cli("new-country", "atlantis", "--lang", "th", "--root", mini)
    assert result.exit_code == 0, result.stderr
    text = (mini / "content/atlantis/country.yaml").read_text("utf-8")
    assert "    trafficking:\n      title: {th: \"To be completed\"}" in text
    assert "  ages:\n    minimum_employment:" in text
    assert cli("check", "--root", mini).exit_code == 0
    result = cli("build", "--root", mini, "--country", "atlantis", "--format", "html",
                 "--edition", "facilitator-guide", "--out", mini / "build")
    assert result.exit_code == 0, result.stderr
    page = (mini / "build/atlantis/th/atlas-etp-atlantis-th-facilitator-guide.html").read_text("utf-8")
    assert '<span class="unconfirmed">To be completed</span>' in page
    assert "error: laws: trafficking is awaiting legal review" in cli("check", "--release", "--root", mini).stderr
    again = cli("new-country", "atlantis", "--root", mini)
    assert again.exit_code == 2 and "already exists" in again.stderr
    assert cli("new-country", "x", "--lang", "fr", "--root", mini).exit_code == 2
