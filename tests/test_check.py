"""The checker: one small hand-written case per check, the example pair, the JSON contract, bad input."""

from __future__ import annotations

import json
import signal

import pytest

import retold
from retold.errors import InputError
from tests.conftest import run_cli

SOURCE = """City council approves new budget for schools

SPRINGFIELD - The Springfield city council approved a budget of 40 million dollars for its schools on Tuesday, Mayor Ana Torres said.

In March 2023, the council signed an agreement with the teachers' union under which the city pledged to hire 200 new teachers.

"We will not close a single school this year," Torres told reporters after the vote.

The state government could cut its own school funding next year, according to the council's finance office.

Police Chief Mark Reyes arrested the suspect, a local man, after a chase through the town centre on Monday.
"""


def verdicts(rewrite: str) -> list[tuple[str, list[str]]]:
    report = retold.check(SOURCE, rewrite)
    return [(s.verdict, [i.type for i in s.issues]) for s in report.sentences]


def only(rewrite: str) -> tuple[str, list[str], retold.Report]:
    report = retold.check(SOURCE, rewrite)
    assert len(report.sentences) == 1
    s = report.sentences[0]
    return s.verdict, [i.type for i in s.issues], report


def test_faithful_paraphrase_passes():
    verdict, issues, report = only("On Tuesday the Springfield city council approved a 40 million dollar budget for schools.")
    assert verdict == "supported", report.sentences[0].issues
    assert report.sentences[0].evidence[0].source_index == 0


def test_changed_number_is_contradicted():
    verdict, issues, report = only("In March 2023 the city pledged to hire 300 new teachers under an agreement with the union.")
    assert verdict == "contradicted" and "number" in issues
    issue = next(i for i in report.sentences[0].issues if i.type == "number")
    assert report.sentences[0].text[issue.span[0] : issue.span[1]] == "300"
    assert issue.source_span is not None and issue.source_index == 1


def test_changed_year_is_contradicted():
    verdict, issues, _ = only("In March 2024 the city pledged to hire 200 new teachers under an agreement with the union.")
    assert verdict == "contradicted" and "date" in issues


def test_abbreviated_month_is_the_same_date():
    verdict, issues, _ = only("In Mar. 2023 the city pledged to hire 200 new teachers under an agreement with the union.")
    assert "date" not in issues


def test_changed_weekday_is_contradicted():
    verdict, issues, report = only("On Monday the Springfield city council approved a 40 million dollar budget for schools.")
    assert verdict == "contradicted" and "date" in issues
    assert "Tuesday, not Monday" in report.sentences[0].issues[0].message
    verdict, issues, _ = only("The Springfield city council approved a 40 million dollar budget for schools on Friday.")
    assert "date" in issues  # a weekday the source never gives


def test_a_date_the_source_never_gives_is_named_once(source_text):
    report = retold.check(source_text, "On July 6, Ghalibaf urged Baghdad to implement the agreement.")
    assert "the source gives no date july 6" in [i.message for i in report.sentences[0].issues]  # not "july july 6"


@pytest.mark.parametrize("rewrite, flagged", [
    ("The 2020 Sentra offers a range of active and passive safety measures.", None),  # the year of a model name
    ("The 2021 Sentra offers a range of active and passive safety measures.", "the source gives no date 2021"),
    ("In May 2020, the Sentra gained safety features.", "the source gives no date 2020, may"),  # the modal is no May
    ("Nissan launched the Sentra in 2020.", "the source gives no date 2020"),  # a model year is no launch date
])
def test_a_year_the_source_writes_in_a_name_is_given(rewrite, flagged):
    source = "A bevy of active and passive safety features are available on the 2020 Sentra. It may arrive soon."
    dates = [i.message for i in retold.check(source, rewrite).sentences[0].issues if i.type == "date"]
    assert dates == ([flagged] if flagged else [])


def test_a_year_in_a_name_is_given_through_a_pronoun_too():
    source = "A bevy of active and passive safety features are available on the 2020 Sentra. It may arrive soon."
    after = retold.check(source, "The 2020 Sentra has safety features. It has a new grille.").sentences[1]
    assert "date" not in [i.type for i in after.issues]  # "It" read as "The 2020 Sentra"


@pytest.mark.parametrize("rewrite, verdict", [
    ("The installation has 1,000 LED lights and 800 meters of recycled rope.", "supported"),  # a full stop groups thousands
    ("The installation has 2,000 LED lights and 800 meters of recycled rope.", "contradicted"),
    ("The city spent 1,500 euros on it.", "unsupported"),  # 1.500 million is 1,500 million
    ("The city spent 1.5 billion euros on it.", "supported"),
])
def test_a_number_written_with_a_full_stop_between_thousands(rewrite, verdict):
    source = ("Moreover: the installation consists of 1.000 LED lights and 800 meters of rope made of recycled plastic. "
              "The city spent 1.500 million euros on it.")
    assert retold.check(source, rewrite).sentences[0].verdict == verdict


def test_altered_quote_is_contradicted():
    verdict, issues, report = only('"We will not close any school this year," Torres told reporters.')
    assert verdict == "contradicted" and "quote" in issues
    assert report.altered_quotes and "We will not close a single school this year" in report.altered_quotes[0]["message"]


def test_misattributed_quote_is_contradicted():
    verdict, issues, _ = only('"We will not close a single school this year," Police Chief Mark Reyes told reporters.')
    assert verdict == "contradicted" and "misattributed_quote" in issues


def test_negation_is_contradicted():
    verdict, issues, _ = only("Mayor Ana Torres said the city will close a school this year.")
    assert verdict in ("contradicted", "unsupported")
    verdict, issues, _ = only("The Springfield city council did not approve a budget for its schools on Tuesday.")
    assert verdict == "contradicted" and "negation" in issues


def test_a_negation_moved_to_another_verb_names_the_verb_the_source_denies(source_text):
    report = retold.check(source_text, "Kurdistan Region Interior Minister Reber Ahmed said Erbil will not use its soil "
                                       "as a launching pad for attacks on Iran.")
    assert "negation changed: the source affirms ‘use’ and denies ‘allow’" in [i.message for i in report.sentences[0].issues]


def test_an_additive_adverb_adds_no_fact(source_text):
    plain = "Ghalibaf stressed the necessity of implementing the security agreement signed between the two countries."
    added = retold.check(source_text, "Additionally, " + plain[0].lower() + plain[1:]).sentences[0]
    assert added.verdict == "supported" and added.signals["evidence_coverage"] == retold.check(
        source_text, plain).sentences[0].signals["evidence_coverage"]


def test_modality_made_certain_is_contradicted():
    verdict, issues, _ = only("The state government will cut its own school funding next year, the council's finance office said.")
    assert verdict == "contradicted" and "modality" in issues


HEDGED = ("The carmaker says it hopes to sell a production version of the van in Europe in 2027. "
          "The new plant is said to be the largest in the region. It employs about 3,000 workers. "
          "Analysts believe the van will cost less than its rivals. The carmaker could not reach a deal with the union. "
          "Van prices could rise this year, and wages at the plant fell 2% in March.")


@pytest.mark.parametrize("rewrite, flagged", [
    ("The carmaker will sell a production version of the van in Europe in 2027.", "hopes"),
    ("The carmaker plans to sell a production version of the van in Europe in 2027.", None),
    ("The new plant is the largest in the region.", "said"),
    ("The new plant is reportedly the largest in the region.", None),
    ("It employs 3,000 workers.", "about"),
    ("It employs nearly 3,000 workers.", None),
    ("The van will cost less than its rivals.", "believe"),
    ("Analysts say the van will cost less than its rivals.", None),
    ("The van will cost less than its rivals, according to analysts.", None),
    ("The carmaker failed to reach a deal with the union.", None),  # "could not" denies; it does not hedge
    ("Van prices will go up this year.", "could"),
    ("Wages at the plant fell 2% in March.", None),  # a clause of its own, joined with "and": not hedged
])
def test_a_hedge_the_rewrite_drops_is_named(rewrite, flagged):
    issues = [i.message for i in retold.check(HEDGED, rewrite).sentences[0].issues if i.type == "modality"]
    assert issues == ([f"the source hedges this (‘{flagged}’) and the rewrite states it as fact: keep ‘{flagged}’ or a word like it"] if flagged else [])


@pytest.mark.parametrize("source, rewrite, kept", [
    ("Rudolph then tried to remove Garrett's helmet.", "Rudolph attempted to remove Garrett's helmet.", True),
    ("Rudolph then tried to remove Garrett's helmet.", "Rudolph removed Garrett's helmet.", False),
    ("Police attempted to stop the car.", "Police stopped the car.", False),
    ("Richardson wants Rudolph to be disciplined.", "Richardson wishes Rudolph to be disciplined.", True),
    ("Richardson wants Rudolph to be disciplined.", "Rudolph will be disciplined.", False),
    ("The plant could install solar panels on its roof.", "Solar panels can be fitted on the plant's roof.", True),
    ("The plant could install solar panels on its roof.", "Solar panels will be fitted on the plant's roof.", False),
    ("Van prices may rise this year.", "Van prices can rise this year.", False),  # "can" stands in for "could" only
    # a hedging modal on another verb does not keep the hedge
    ("VW hopes to sell the van in 2027.", "VW will sell the van in 2027, which could lift its sales.", False),
])
def test_a_hedge_may_be_kept_in_other_words(source, rewrite, kept):
    sentence = retold.check(source, rewrite).sentences[0]
    assert (sentence.verdict == "supported") == kept
    assert kept or [i.type for i in sentence.issues] == ["modality"]


@pytest.mark.parametrize("rewrite, added", [
    ("The carmaker narrowly hopes to sell a production version of the van in Europe in 2027.", "‘narrowly’"),
    ("The new plant is said to be the largest and most impressive in the region.", "‘impressive’"),
    ("The new plant is said to be the largest in the region.", None),
])
def test_a_judgement_the_source_does_not_make_is_named(rewrite, added):
    issues = [i.message for i in retold.check(HEDGED, rewrite).sentences[0].issues if i.type == "judgement"]
    assert issues == ([f"{added}: the source makes no such judgement; leave it out"] if added else [])


@pytest.mark.parametrize("source, rewrite, changed", [
    ("Tehran warned of military action should the agreement not be effectively implemented.",
     "Tehran warned of military action if the agreement is not fully implemented.", ("fully", "effectively")),
    ("Tehran warned of military action should the agreement not be effectively implemented.",
     "Tehran warned of military action if the agreement was not effectively implemented.", None),
    ("Tehran warned of military action should the agreement not be effectively implemented.",  # no adverb of its own
     "Tehran warned of military action if the agreement is not implemented.", None),
    ("The firm quickly sold the plant.", "The plant was sold quickly by the firm.", None),
    ("The firm quickly sold the plant.", "The firm secretly sold the plant.", ("secretly", "quickly")),
    ("The firm quickly sold the plant and secretly moved its staff.",  # the word is the evidence's, on another verb
     "The firm secretly sold the plant.", None),
    ("Prices rose sharply in March.", "Prices rose significantly in March.", None),  # weight for weight: `judgement`'s
    ("The deal will possibly close in May.", "The deal will likely close in May.", None),  # a hedge for a hedge
])
def test_a_changed_manner_is_named(source, rewrite, changed):
    issues = [i for i in retold.check(source, rewrite).sentences[0].issues if i.type == "manner"]
    assert [i.message for i in issues] == ([f"‘{changed[0]}’: the source says ‘{changed[1]}’ here; keep ‘{changed[1]}’"]
                                           if changed else [])
    for issue in issues:
        assert rewrite[slice(*issue.span)] == changed[0] and source[slice(*issue.source_span)] == changed[1]


@pytest.mark.parametrize("verb, covered", [("highlighted", True), ("emphasised", True), ("denied", False)])
def test_a_neutral_speech_verb_stands_for_the_sources(verb, covered):
    source = "The minister was at the meeting, stressing the good relations between the two countries."
    sentence = retold.check(source, f"The minister {verb} the good relations between the two countries.").sentences[0]
    assert (sentence.signals["evidence_coverage"] == 1.0) is covered


GAS = ("The outflows became fountains of gas rising thousands of light-years above a galaxy. The firm hired 3,200 "
       "workers. Tens of thousands of people marched. Dozens of shops closed.")


@pytest.mark.parametrize("rewrite, verdict, message", [
    ("The gas rose millions of light-years above a galaxy.", "contradicted", "the source says thousands, not millions"),
    ("The gas rose thousands of light-years above a galaxy.", "supported", None),
    ("The firm hired thousands of workers.", "supported", None),  # 3,200 is in the thousands
    ("The firm hired hundreds of workers.", "unsupported", "no figure in the source fits ‘hundreds’"),
    ("The firm hired millions of workers.", "unsupported", "no figure in the source fits ‘millions’"),
    ("Thousands of people marched.", "supported", None),  # tens of thousands are thousands
    ("Hundreds of thousands of people marched.", "contradicted", "the source says tens of thousands, not hundreds of thousands"),
    ("Hundreds of shops closed.", "contradicted", "the source says dozens, not hundreds"),
    ("Dozens of small shops closed.", "supported", None),
])
def test_an_order_of_magnitude_must_hold_a_source_figure_of_the_same_thing(rewrite, verdict, message):
    sentence = retold.check(GAS, rewrite).sentences[0]
    assert sentence.verdict == verdict
    assert [i.message for i in sentence.issues if i.type == "number"] == ([message] if message else [])


def test_swapped_actor_is_contradicted():
    verdict, issues, _ = only("The suspect arrested Police Chief Mark Reyes after a chase through the town centre on Monday.")
    assert verdict == "contradicted" and "role" in issues


SHARES = ("The company said on Monday that its chief executive, Maria Lopez, will receive 40 million shares. "
          "Its founder, David Chen, sold 12 million shares last year.")


@pytest.mark.parametrize("rewrite, given_to", [
    ("David Chen will receive 40 million shares, the company said on Monday.", "Maria Lopez"),
    ("Maria Lopez, who sold 12 million shares last year, is the chief executive.", "David Chen"),
    ("Maria Lopez, the chief executive, will receive 40 million shares, the company said on Monday.", None),
    ("Founder David Chen, who sold 12 million shares last year, is leaving.", None),
])
def test_a_number_given_to_another_named_actor_is_contradicted(rewrite, given_to):
    report = retold.check(SHARES, rewrite)
    issues = [i for s in report.sentences for i in s.issues if i.type == "number"]
    if given_to:
        assert report.sentences[0].verdict == "contradicted" and given_to in issues[0].message
    else:
        assert not issues


def test_a_number_of_a_clause_without_a_relative_pronoun_keeps_its_actor():
    source = "Kentucky Democrats beat incumbent Gov. Matt Bevin in a state Trump won by 30 points in 2016."
    wrong = retold.check(source, "Kentucky Democrats defeated incumbent Governor Matt Bevin by a margin of 30 points.")
    assert wrong.sentences[0].verdict == "contradicted"
    assert any("Trump" in i.message for i in wrong.sentences[0].issues if i.type == "number")
    right = retold.check(source, "Democrats in Kentucky beat Gov. Matt Bevin in a state that Trump won by 30 points in 2016.")
    assert not [i for s in right.sentences for i in s.issues if i.type == "number"]


def test_the_same_actor_written_another_way_keeps_its_number():
    source = "The U.S. had won all previous 15 meetings with their North American neighbours, though they had not met since 1965."
    report = retold.check(source, "The U. S. had won all 15 previous meetings with its North American neighbours.")
    assert not [i for s in report.sentences for i in s.issues if i.type == "number"]


def test_a_number_in_a_sentence_without_a_subject_is_read():
    def too_slow(*_):
        raise TimeoutError("the clause of the number was searched for ever")

    before = signal.signal(signal.SIGALRM, too_slow)
    signal.alarm(60)
    try:
        report = retold.check(SHARES, "Record year: 40 million shares for Maria Lopez.")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, before)
    assert report.sentences[0].verdict != "contradicted"


@pytest.mark.parametrize("rewrite, title", [
    ("Ali Larijani, the council's secretary, met Araji on Monday in Tehran.", None),
    ("Council member Ali Larijani met Araji on Monday in Tehran.", "member"),
    ("Iraqi Prime Minister Mohammed al-Sudani oversaw the talks.", None),  # the title given in another sentence
    ("Iraqi Foreign Minister Mohammed al-Sudani oversaw the talks.", "Foreign"),  # he is a minister, not that one
])
def test_a_title_the_source_never_gives_a_person_is_not_supported(rewrite, title):
    source = ("Iraqi Prime Minister Mohammed al-Sudani oversaw the talks. On Monday in Tehran, Araji met the "
              "Secretary of the Supreme National Security Council, Ali Larijani.")
    report = retold.check(source, rewrite)
    messages = [i.message for s in report.sentences for i in s.issues if "does not call" in i.message]
    assert len(messages) == bool(title) and (not title or messages[0].endswith(f"‘{title}’"))
    assert report.faithful == (title is None)


@pytest.mark.parametrize("rewrite, source_places, faithful", [
    ("Interior Minister Reber Ahmed attended the meeting in Tehran.", 2, False),  # Iraq's? Iran's? the Region's
    ("Kurdistan Region Interior Minister Reber Ahmed attended the meeting in Tehran.", 2, True),
    ("Reber Ahmed, the Kurdistan Region's interior minister, attended the meeting in Tehran.", 2, True),
    ("Interior Minister Reber Ahmed attended the meeting in Tehran.", 1, True),  # only one place has officials here
])
def test_an_office_without_the_place_the_source_gives_it_is_not_supported(rewrite, source_places, faithful):
    source = ("Kurdistan Region Interior Minister Reber Ahmed attended the meeting in Tehran. "
              + ("Iranian Parliament Speaker Bagher Ghalibaf hosted it." if source_places == 2 else "Bagher Ghalibaf hosted it."))
    report = retold.check(source, rewrite)
    assert report.faithful == faithful
    messages = [i.message for s in report.sentences for i in s.issues]
    assert faithful or "say whose Interior Minister Reber Ahmed is, as the source does (Kurdistan Region)" in messages


@pytest.mark.parametrize("rewrite, faithful", [
    ("President Donald Trump spoke after the talks.", True),  # a head of state's office: the name says whose
    ("Vice Premier Liu He spoke after the talks.", False),
])
def test_a_head_of_state_may_go_without_the_country(rewrite, faithful):
    source = "US President Donald Trump spoke after the talks. Chinese Vice Premier Liu He spoke after the talks."
    assert retold.check(source, rewrite).faithful == faithful


def test_an_office_the_source_itself_gives_without_its_place_may_go_without_it():
    source = ("Iraqi Prime Minister Mohammed Shia al-Sudani met Iranian Parliament Speaker Bagher Ghalibaf in Tehran. "
              "Prime Minister al-Sudani said the talks went well.")
    assert retold.check(source, "Prime Minister al-Sudani said the talks went well.").faithful
    report = retold.check(source, "Iraqi Prime Minister Mohammed Shia al-Sudani met Parliament Speaker Bagher Ghalibaf in Tehran.")
    assert [i.message for i in report.sentences[0].issues] == [
        "say whose Parliament Speaker Bagher Ghalibaf is, as the source does (Iran)"]


def test_a_place_in_another_persons_phrase_is_not_the_persons():
    from retold.analyze import analyze

    source = retold.extract("Reber Ahmed, a counterpart of Iranian Interior Minister Eskandar Momeni, attended.")
    assert "person:ahmed" not in analyze(source).units[0].person_places


@pytest.mark.parametrize("rewrite, faithful", [
    ("Governor Kristi Noem of South Dakota defended the campaign.", True),  # the source abbreviates it: "Gov."
    ("Senator Kristi Noem of South Dakota defended the campaign.", False),
    ("Gov. Steve Clarke spoke to the media.", False),
    ("General Jane Doe praised the campaign.", False),  # "Gen Z" is no title
    ("Secretary Jane Doe praised the campaign.", False),  # nor is "the SEC"
])
def test_a_title_the_source_abbreviates_is_the_source_s(rewrite, faithful):
    source = ("South Dakota Gov. Kristi Noem defended the campaign. Steve Clarke, deputy associate administrator for "
              "exploration in NASA's Science Mission Directorate, spoke to the media. Gen Z influencer Jane Doe "
              "praised the campaign. She once worked for the SEC.")
    assert retold.check(source, rewrite).faithful == faithful


def test_an_abbreviation_counts_as_a_title_only_before_a_name():
    source = "Jane Doe praised the campaign. She once worked for the SEC."
    messages = [i.message for s in retold.check(source, "The Secretary praised the campaign.").sentences for i in s.issues]
    assert "‘Secretary’ is not in the source" in messages


@pytest.mark.parametrize("rewrite, faithful", [
    ("Alibaba could raise as much as $12.9 billion from the listing.", True),
    ("Alibaba could raise as much as $13.9 billion from the listing.", False),
    ("Alibaba could raise as much as $12.9 million from the listing.", False),
    ("Alibaba's shares could rise 12.9% after the listing.", False),  # "bn" is no unit that may go
])
def test_a_number_written_with_its_scale_in_one_word_is_read_with_it(rewrite, faithful):
    assert retold.check("Alibaba could raise up to $12.9bn (£10bn) from the listing.", rewrite).faithful == faithful


@pytest.mark.parametrize("rewrite, faithful", [
    ("“We had some issues,” Mayer, the Disney chairman, said on Tuesday.", True),  # "Mayer," is Kevin Mayer
    ("In her testimony, the mother described her daughter as “brave, strong, and smart”.", True),
    ("“We had some issues,” Bob Iger said on Tuesday.", False),
    ("“We had some issues,” analysts said on Tuesday.", False),  # a common noun, and not the source's speaker
])
def test_a_quote_s_speaker_is_compared_by_name(rewrite, faithful):
    source = ("“We had some issues,” Kevin Mayer, the Disney chairman, said on Tuesday. The victim's mother testified, "
              "describing her daughter as \"brave, strong, and smart\".")
    assert retold.check(source, rewrite).faithful == faithful


def test_an_acronym_of_words_in_the_source_is_in_the_source():
    source = "The company shelved its plans for an initial public offering on September 30 after investors grew wary."
    assert retold.check(source, "The company shelved its IPO on September 30 after investors grew wary.").faithful
    invented = retold.check(source, "The company shelved its IPO on September 30 after the SEC grew wary.")
    assert "‘SEC’ is not in the source" in [i.message for s in invented.sentences for i in s.issues]


def test_invented_expert_view_is_unsupported():
    verdict, issues, _ = only("Experts say the new budget will improve exam results across the city.")
    assert verdict == "unsupported" and "attribution" in issues


def test_a_named_spokesperson_is_not_an_unnamed_source(source_text):
    rewrite = ("The US State Department spokesperson, Tammy Bruce, stated that they support genuine Iraqi "
               "sovereignty, not legislation that would turn Iraq into an Iranian satellite state.")
    assert "attribution" not in [i.type for i in retold.check(source_text, rewrite).sentences[0].issues]


def test_officials_view_reported_by_the_source_is_not_invented():
    source = "Police Chief Mark Reyes made an arrest on Monday.\n\nCity Hall officials said the budget would be approved next week."
    report = retold.check(source, "Officials said the budget would be approved next week.")
    assert "attribution" not in [i.type for i in report.sentences[0].issues]


@pytest.mark.parametrize("claim, invented", [
    ("Almost all major foreign publications have reported on the oxygen bar.", False),  # they are the source's subject
    ("Publications say the oxygen bar charges Rs 299.", True),  # the price is the source's, not theirs
])
def test_unnamed_sources_that_the_restated_sentence_is_about_are_not_invented(claim, invented):
    source = ("Delhi has an oxygen bar.\n\nFrom The New York Times to CNN, almost all major foreign publications "
              "have carried the news about the oxygen bar. The oxygen bar charges Rs 299.")
    issues = [i.type for i in retold.check(source, claim).sentences[0].issues]
    assert ("attribution" in issues) is invented


def test_a_given_name_the_source_never_uses_for_that_surname_is_caught():
    source = "Browns DL Sheldon Richardson said Rudolph should be disciplined.\n\nRudolph was fined."
    for claim, verdict in [("Stefan Richardson said Rudolph should be disciplined.", "contradicted"),
                           ("Sheldon Richardson said Rudolph should be disciplined.", "supported"),
                           ("Richardson said Rudolph should be disciplined.", "supported")]:
        assert retold.check(source, claim).sentences[0].verdict == verdict, claim


def test_invented_name_is_unsupported():
    verdict, issues, _ = only("Governor Paul Lindqvist welcomed the budget approved by the Springfield city council.")
    assert verdict == "unsupported" and "entity" in issues


def test_a_surname_spacy_takes_for_no_entity_is_still_a_name(source_text):
    report = retold.check(source_text, "Rouhani stressed the necessity of implementing the security agreement signed "
                                       "between the two countries.")  # tagged a proper noun, but in no entity
    issue = next(i for i in report.sentences[0].issues if i.type == "entity")
    assert report.sentences[0].verdict == "unsupported" and issue.span == (0, len("Rouhani"))
    faithful = retold.check(source_text, "Ghalibaf stressed the necessity of implementing the security agreement "
                                         "signed between the two countries.")
    assert faithful.sentences[0].verdict == "supported"
    headline = retold.check(source_text, "Ghalibaf Urges Baghdad To Honour Security Pact Swiftly")
    said = " ".join(i.message for s in headline.sentences for i in s.issues)
    assert "‘Honour’" not in said and "‘Swiftly’" not in said  # Title Case: its capitals are not names


def test_every_issue_has_a_span_and_every_verdict_an_issue():
    report = retold.check(SOURCE, "Experts say the budget is 90 million dollars. The council did not approve a budget.")
    for s in report.sentences:
        if s.verdict != "supported":
            assert s.issues
        for issue in s.issues:
            assert 0 <= issue.span[0] < issue.span[1] <= len(s.text)


@pytest.fixture(scope="module")
def example(source_text, rewrite_text):
    return retold.check(source_text, rewrite_text)


def sentence(report, start: str):
    return next(s for s in report.sentences if s.text.startswith(start))


def test_example_disarmament_pledge_moved_to_august_is_contradicted(example):
    s = sentence(example, "It also includes measures to disarm")
    assert s.verdict == "contradicted"
    date = next(i for i in s.issues if i.type == "date")
    assert "March 2023" in date.message and "August" in date.message
    assert s.evidence[0].text.startswith("In March 2023")


@pytest.mark.parametrize("start", ["Experts note", "Analysts warn", "Iraqi officials view", "Authorities in Iraq say", "The talks aimed"])
def test_example_invented_views_are_not_supported(example, start):
    assert sentence(example, start).verdict != "supported"


@pytest.mark.parametrize("start", ["Iraqi National Security Advisor", "The US State Department has also", "Kurdistan Region Interior Minister"])
def test_example_faithful_sentences_pass(example, start):
    assert sentence(example, start).verdict == "supported"


def test_example_document_findings(example):
    stuffed = example.keyword_stuffing[0]
    assert stuffed["phrase"] == "ensuring regional security" and stuffed["count"] == 3
    assert stuffed["ungrammatical"] == ["maintain ensuring", "uphold ensuring"]
    assert 0.0 < example.copied_4gram_ratio < 0.08  # VISION: under 8% of its 4-word sequences come from the source
    assert example.verdict_counts["contradicted"] >= 1


def test_copied_outside_quotes_counts_only_the_writers_words():
    from retold.findings import copied_outside_quotes

    source = "The minister told reporters on Monday that “the new border posts will open next spring” in the north."
    quoted = ["Speaking on Monday, the minister said “the new border posts will open next spring” there."]
    assert copied_outside_quotes(source, quoted) == 0.0  # the quote is copied, as it must be; nothing else is
    copied = ["The minister told reporters on Monday that the new border posts will open next spring."]
    assert copied_outside_quotes(source, copied) > 0.9  # the same words without quotation marks count
    assert copied_outside_quotes(source, ["“Too short,” he said."]) == 0.0


@pytest.mark.parametrize("claim, contradicted", [
    ("Araji, the Iraqi Prime Minister Mohammed Shia’ al-Sudani, oversaw the signing of a joint security MoU with "
     "Ali Larijani in August.", True),  # published by a local rewrite of the example: two people made one
    ("Qasim al-Araji, Iraq's National Security Advisor, met Bagher Ghalibaf in Tehran on Tuesday.", False),
    ("In August, Iraqi Prime Minister Mohammed Shia’ al-Sudani oversaw the signing of a joint security MoU.", False),
])
def test_an_apposition_that_makes_one_person_another_is_contradicted(source_text, claim, contradicted):
    sentence = retold.check(source_text, claim).sentences[0]
    assert (sentence.verdict == "contradicted") == contradicted
    assert any("does not say that Araji is" in i.message for i in sentence.issues) == contradicted


def test_copied_phrases_are_the_writers_runs_of_source_words_without_names():
    from retold.findings import copied_phrases

    source = "Minister Qasim al-Araji told reporters on Monday that “the new border posts will open” in the north."
    rewrite = "On Monday, Qasim al-Araji told reporters on Monday that “the new border posts will open” soon."
    assert copied_phrases(source, rewrite) == ["Qasim al-Araji told reporters on Monday that"]
    assert copied_phrases(source, "Speaking to the press, Minister Qasim al-Araji said so.") == []  # a name alone
    assert copied_phrases(source, "Nothing here is from it.") == []


def test_every_issue_in_the_example_has_a_span(example):
    for s in example.sentences:
        assert (s.verdict == "supported") == (not s.issues)
        for issue in s.issues:
            assert 0 <= issue.span[0] < issue.span[1] <= len(s.text)
            if issue.source_span is not None:
                from retold.analyze import analyze

                unit = analyze(example.source).units[issue.source_index].text
                assert 0 <= issue.source_span[0] < issue.source_span[1] <= len(unit)


def test_json_contract(tmp_path, source_text, rewrite_text):
    (tmp_path / "s.txt").write_text(source_text)
    (tmp_path / "r.txt").write_text(rewrite_text)
    result = run_cli("check", str(tmp_path / "s.txt"), str(tmp_path / "r.txt"), "--format", "json")
    assert result.returncode == 0, result.stderr.decode()
    data = json.loads(result.stdout)
    assert [s["index"] for s in data["sentences"]] == list(range(len(data["sentences"])))
    for s in data["sentences"]:
        assert s["verdict"] in ("supported", "unsupported", "contradicted")
        assert 0.0 <= s["score"] <= 1.0
        assert all(set(e) >= {"source_index", "text"} for e in s["evidence"])
        assert all(set(i) >= {"type", "message", "span", "source_span"} for i in s["issues"])
    document = data["document"]
    for key in ("verdict_counts", "copied_4gram_ratio", "keyword_stuffing", "altered_quotes", "omissions", "source", "rewrite"):
        assert key in document
    assert document["source"]["headline"].startswith("Iran stresses urgency")
    strict = run_cli("check", str(tmp_path / "s.txt"), str(tmp_path / "r.txt"), "--strict", "--format", "md")
    assert strict.returncode == 3 and strict.stdout.decode().startswith("# Check report")


def test_bad_input_to_check(tmp_path):
    with pytest.raises(InputError, match="rewrite is empty"):
        retold.check(SOURCE, "  \n")
    with pytest.raises(InputError, match="source is empty"):
        retold.check("", "The council approved the budget.")
    french = "Le conseil municipal a approuvé mardi un budget de quarante millions pour les écoles de la ville, a déclaré la maire."
    with pytest.raises(InputError, match="English only"):
        retold.check(SOURCE, french)
    (tmp_path / "s.txt").write_text(SOURCE)
    (tmp_path / "empty.txt").write_text("")
    result = run_cli("check", str(tmp_path / "s.txt"), str(tmp_path / "empty.txt"))
    assert result.returncode == 1 and b"is empty" in result.stderr and b"Traceback" not in result.stderr


def test_source_analysis_is_cached():
    from retold.analyze import _analyze

    retold.check(SOURCE, "The council approved a budget.")
    before = _analyze.cache_info().hits
    retold.check(SOURCE, "The council approved a budget on Tuesday.")
    assert _analyze.cache_info().hits > before


def test_official_given_another_nationality_is_contradicted(source_text):
    report = retold.check(source_text, "Iraqi Parliament Speaker Bagher Ghalibaf urged Baghdad to implement the agreement.")
    s = report.sentences[0]
    assert s.verdict == "contradicted"
    issue = next(i for i in s.issues if i.type == "entity")
    assert "Iran" in issue.message and "Iraq" in issue.message
    assert s.text[issue.span[0] : issue.span[1]] == "Bagher Ghalibaf"


def test_aliases_are_the_same_entity(source_text):
    report = retold.check(source_text, "Washington has expressed concern over the August MoU and the PMF bill.")
    assert not [i for i in report.sentences[0].issues if i.type == "entity"]


def test_a_definite_subject_with_a_name_is_not_taken_for_the_subject_before_it():
    source = ("Nissan unveiled the 2020 Sentra on Monday. The redesigned sedan will go on sale in late January, the "
              "company said. Toyota also showed the 2021 RAV4 Prime, a plug-in hybrid with 302 horsepower. The RAV4 "
              "Prime will be available in the summer, Toyota said.")
    report = retold.check(source, "Toyota showed the 2021 RAV4 Prime, a plug-in hybrid with 302 horsepower. The RAV4 "
                                  "Prime will be available in the summer. The hybrid has 302 horsepower.")
    named, common = report.sentences[1], report.sentences[2]
    assert named.resolved is None and named.verdict == "supported"  # not "Toyota will be available in the summer"
    assert common.resolved is not None  # "the hybrid" still stands for the subject before it


def test_a_definite_subject_stands_for_the_subject_before_it_only_where_the_source_describes_it_so():
    source = ("Volkswagen unveiled the ID. Space Vizzion concept car in Los Angeles. The roof spoiler, too, is functional, "
              "helping cut turbulence at the rear. Even the steering wheel has had an upgrade. VW says the car has a "
              "range of 300 miles. In a time when SUVs are only growing in popularity, making a four-door GT is a bold move.")
    report = retold.check(source, "Volkswagen unveiled a concept car in Los Angeles. The roof spoiler is functional, "
                                  "helping cut turbulence at the rear. The steering wheel has been updated. VW says "
                                  "the car has a range of 300 miles. The car is a four-door GT. In a time when SUVs are "
                                  "growing in popularity, it might seem bold to make a four-door GT.")
    spoiler, wheel, _, car, bold = report.sentences[1:]
    assert spoiler.resolved is None and wheel.resolved is None  # not "Volkswagen is functional", "Volkswagen has been updated"
    assert car.resolved and car.resolved.startswith("VW is a four-door GT")  # the source calls VW's product "the car"
    assert bold.resolved is None  # "it" stands for nothing here
    assert all(s.verdict == "supported" for s in (spoiler, wheel, bold))


def test_those_with_a_description_of_their_own_stand_for_nobody_before_them():
    source = ("Jason La Canfora reported that Rudolph will be fined. Those in favor of punishment have said that Rudolph "
              "instigated the fight by igniting the altercation with Garrett when the two were on the ground.")
    report = retold.check(source, "Jason La Canfora reported that Rudolph will be fined. Those advocating punishment have "
                                  "said that Rudolph instigated the fight with Garrett when the two were on the ground.")
    assert report.sentences[1].resolved is None  # not "Jason La Canfora advocating punishment have said …"


def test_an_abbreviation_whose_full_stop_ends_the_sentence_is_the_same_place(source_text):
    for us in ("The U.S. has expressed concern over the August MoU.", "The August MoU worried the U.S."):
        assert not [i for i in retold.check(source_text, us).sentences[0].issues if i.type == "entity"]


def test_the_act_given_to_another_countrys_actor_is_contradicted(source_text):
    wrong = retold.check(source_text, "Iraq’s Parliament urges Baghdad to implement security deal with Iran.")
    assert wrong.sentences[0].verdict == "contradicted"
    assert "Ghalibaf" in wrong.sentences[0].issues[0].message
    right = retold.check(source_text, "Iran’s parliament speaker urges Baghdad to implement the security deal.")
    assert right.sentences[0].verdict == "supported"


@pytest.mark.parametrize("act, problem", [
    ("was involved in the negotiation of", "in the signing, not in a negotiation"),
    ("oversaw the cancellation of", "in the signing, not in a cancellation"),
    ("presided over the signing of", None),
])
def test_another_act_between_the_same_people_is_not_supported(source_text, act, problem):
    claim = f"In August, Iraqi Prime Minister Mohammed Shia’ al-Sudani {act} a security deal between Araji and Ali Larijani."
    sentence = retold.check(source_text, claim).sentences[0]
    messages = [i.message for i in sentence.issues if i.type == "role"]
    assert (sentence.verdict, bool(messages)) == (("unsupported", True) if problem else ("supported", False))
    assert not problem or messages[0].endswith(problem)


@pytest.mark.parametrize("when, verdict", [("On August 8", "unsupported"), ("In August", "supported")])
def test_a_day_the_source_never_gives_is_not_supported(source_text, when, verdict):
    claim = (f"{when}, US State Department spokesperson Tammy Bruce said: “We support genuine Iraqi sovereignty, "
             "not legislation that would turn Iraq into an Iranian satellite state.”")
    assert retold.check(source_text, claim).sentences[0].verdict == verdict


@pytest.mark.parametrize("when, verdict", [("early", "unsupported"), ("mid", "supported")])
def test_part_of_a_month_must_match(source_text, when, verdict):
    claim = f"In {when}-September, the US State Department designated several prominent PMF factions as foreign terrorist organizations."
    assert retold.check(source_text, claim).sentences[0].verdict == verdict


def test_a_persons_title_is_read_within_the_sentence(source_text):
    """Parsed with the article around it, a name's phrase can reach back into the sentence before; the words
    there are not the person's title (they were read, at negative offsets, as "‘ ine Iraq sovereig …’")."""
    rewrite = ("IRNA quoted Araji as saying: “We believe that the security of Iran and the security of Iraq are "
               "intertwined, and we adhere to the security agreement we signed with Tehran, and we emphasize the need "
               "to continue the talks.”\n\nUS State Department spokesperson Tammy Bruce in August said: “We support "
               "genuine Iraqi sovereignty, not legislation that would turn Iraq into an Iranian satellite state.”")
    report = retold.check(source_text, rewrite)
    assert [s.verdict for s in report.sentences] == ["supported", "supported"], report.to_dict()["sentences"]


def test_a_mixed_case_word_ending_a_sentence_is_the_word(source_text):
    """spaCy leaves the full stop on "MoU." at a sentence's end, as on an abbreviation."""
    assert retold.check(source_text, "The US has expressed concern over the August MoU.").faithful
    assert not retold.check(source_text, "The US has expressed concern over the August UN.").faithful


def test_the_source_actor_named_outside_the_numbers_clause_does_not_hold_the_number():
    source = "Kentucky Democrats beat incumbent Gov. Matt Bevin in a state Trump won by 30 points in 2016."
    wrong = retold.check(source, "Kentucky Democrats defeated incumbent Governor Matt Bevin by a margin of 30 points, "
                                 "securing victory over former President Donald Trump in the 2016 election.")
    assert wrong.sentences[0].verdict == "contradicted"
    assert any("Trump" in i.message for i in wrong.sentences[0].issues if i.type == "number")


def test_a_speaker_is_found_within_the_quotes_sentence(source_text):
    """The body is parsed at once, and spaCy hung this "said" on "oversaw" in the paragraph before, whose
    subject (the Prime Minister) was taken for Bruce's speaker: a misattributed quote, contradicted."""
    rewrite = ("In August, Iraqi Prime Minister Mohammed Shia’ al-Sudani oversaw the signing of a joint security MoU "
               "between Araji and Iranian Secretary of the Supreme National Security Council Ali Larijani, “concerning "
               "security coordination along the shared borders between the two countries.”\n\nUS State Department "
               "spokesperson Tammy Bruce in August said: “We support genuine Iraqi sovereignty, not legislation that "
               "would turn Iraq into an Iranian satellite state.”")
    report = retold.check(source_text, rewrite)
    assert [s.verdict for s in report.sentences] == ["supported", "supported"], report.to_dict()["sentences"]


@pytest.mark.parametrize("rewrite, faithful", [
    ("Ghalibaf urged Araji to implement the agreement.", False),  # the source has him urge Baghdad
    ("Ghalibaf urged Baghdad to implement the agreement.", True),
    ("Larijani met Ahmed in Tehran on Tuesday.", True),  # one of two people he met
    ("Larijani met Ghalibaf in Tehran on Tuesday.", False),
])
def test_an_act_aimed_at_another_name_is_not_supported(rewrite, faithful):
    source = ("In a meeting with Qasim al-Araji on Tuesday, Speaker Bagher Ghalibaf urged Baghdad to implement the agreement. "
              "Ali Larijani met Araji and Reber Ahmed in Tehran on Tuesday.")
    report = retold.check(source, rewrite)
    assert report.faithful == faithful, report.to_dict()["sentences"]
    assert faithful or any(i.type == "role" for s in report.sentences for i in s.issues)


@pytest.mark.parametrize("rewrite, faithful", [
    ("The joint security MoU was signed by Prime Minister Mohammed al-Sudani in August.", False),  # he oversaw it
    ("In August, Araji and Ali Larijani signed a joint security MoU, with al-Sudani overseeing the signing.", True),
    ("In August, Prime Minister Mohammed al-Sudani oversaw the signing of a joint security MoU.", True),
    ("The finance ministers met on Friday, and the pact was signed by Elena Ruiz.", False),  # she hosted the talks
    ("The pact was signed by Mark Olsen and Elena Ruiz on Friday.", False),  # by her deputy
    ("The pact was signed by Mark Olsen and Tom Hale on Friday.", True),
])
def test_an_act_given_to_someone_the_source_has_in_another_role_is_not_supported(rewrite, faithful):
    source = ("In August, Prime Minister Mohammed al-Sudani oversaw the signing of a joint security MoU between Qasim "
              "al-Araji and Ali Larijani. On Friday, Elena Ruiz hosted the finance ministers for the signing of the pact "
              "by Mark Olsen and Elena Ruiz's deputy, Tom Hale.")
    report = retold.check(source, rewrite)
    assert report.faithful == faithful, report.to_dict()["sentences"]
    assert faithful or any(i.type == "role" and "sign" in i.message for s in report.sentences for i in s.issues)


def test_the_source_actor_named_beside_the_number_does_not_hold_it():
    source = ("Louisiana Democrats re-elected Governor John Bel Edwards in a state Trump won by the more modest but "
              "still substantial margin of 20 points.")
    wrong = retold.check(source, "Louisiana Democrats re-elected Governor John Bel Edwards with a margin of 20 points over Trump.")
    assert wrong.sentences[0].verdict == "contradicted", wrong.to_dict()["sentences"]


@pytest.mark.parametrize("rewrite, faithful", [
    ("The US Department said on Friday that it would review the council's budget.", False),  # "State" left out
    ("The State Department said on Friday that it would review the council's budget.", True),
    ("The Springfield council approved a budget of 40 million dollars for its schools on Tuesday.", True),  # "city" is no name
])
def test_a_name_with_a_word_left_out_of_its_middle_is_another_name(rewrite, faithful):
    source = SOURCE + "\nThe US State Department said on Friday that it would review the council's budget.\n"
    issues = [i.message for s in retold.check(source, rewrite).sentences for i in s.issues]
    assert (not any("leaves ‘State’ out" in m for m in issues)) == faithful, issues


@pytest.mark.parametrize("rewrite, relation", [
    ("In exchange, the city pledged to hire 200 new teachers under an agreement with the teachers' union.", "exchange"),
    ("Therefore, the city pledged to hire 200 new teachers under an agreement with the teachers' union.", "cause"),
    ("The city pledged to hire 200 new teachers because of an agreement with the teachers' union.", None),  # other checks' job
    ("Under an agreement with the teachers' union signed in March 2023, the city pledged to hire 200 new teachers.", None),
])
def test_a_cause_or_exchange_the_source_does_not_state_is_not_supported(rewrite, relation):
    verdict, issues, report = only(rewrite)
    messages = [i.message for i in report.sentences[0].issues]
    assert ("relation" in issues) == (relation is not None), messages
    if relation:
        assert verdict == "unsupported" and any(f"states no {relation}" in m for m in messages)


@pytest.mark.parametrize("source, rewrite, flagged", [
    # words that look causal but are not: "since" a year, "so-called", "led by", "results"
    ("The company has hired 300 workers since 2019, led by its so-called growth team. Its shares rose 5% on Monday.",
     "Consequently, its shares rose 5% on Monday.", True),
    ("At least 30 people have died in the floods so far.", "Thus far, at least 30 people have died in the floods.", False),
    ("Storms hit the coast on Monday. Flights at Leeds airport were cancelled.",
     "As a result of the storms, flights at Leeds airport were cancelled.", False),  # within the sentence: not judged
])
def test_only_an_opening_connective_is_judged_and_only_causal_phrases_answer_it(source, rewrite, flagged):
    issues = [i for s in retold.check(source, rewrite).sentences for i in s.issues if i.type == "relation"]
    assert bool(issues) == flagged, issues


def test_a_person_named_without_a_middle_name_is_the_same_person():
    report = retold.check("George W. Bush spoke in Dallas on Monday about the economy.", "George Bush spoke in Dallas on Monday about the economy.")
    assert report.sentences[0].verdict == "supported", report.sentences[0].issues


def test_a_cause_the_source_states_in_other_words_passes():
    source = "The league called off Saturday's match in Leeds after heavy rain flooded the pitch, which led to the delay of the final."
    report = retold.check(source, "As a result, the final was delayed.")
    assert not [i for s in report.sentences for i in s.issues if i.type == "relation"]
