"""Pairwise precision and recall of the story matcher on the labelled evaluation set.

``python -m tests.briefs.story_eval.evaluate`` prints the threshold sweep and the
numbers for the tuning and held-out halves; the tests assert on the same functions.

Every brief is read through the real importer (``briefs.importer.parse_brief``). Each
pair is scored once, as the import of the later brief would score it: against every
labelled brief within ``MAX_DAYS`` plus the 25 demo briefs of ``briefs/demo`` dated to
the same moment, as background news in the window (they make the window's IDF look like
a real week's and are distractors: any match with one is a wrong pair), of which only
those the candidate index picks (``briefs.stories.candidates``) are scored, as on import.
"""

import csv
import dataclasses
import itertools
from pathlib import Path

from briefs.importer import parse_brief
from briefs.stories.candidates import index_tokens, pick_candidates
from briefs.stories.grouping import group_stories
from briefs.stories.similarity import MAX_DAYS, THRESHOLD, StoryCandidate, score_candidates

HERE = Path(__file__).resolve().parent
DEMO = HERE.parents[2] / "briefs" / "demo"
FILLER_PREFIX = "demo:"


def read_candidate(path, key=None):
    """A ``StoryCandidate`` from one text file, through the importer's parser."""
    parsed = parse_brief(Path(path).read_text(encoding="utf-8-sig"))
    return StoryCandidate(
        key=key or Path(path).stem,
        source=parsed.source_name,
        published_at=parsed.published_at,
        title=parsed.title,
        dek=parsed.dek,
        body=parsed.body,
        topics=tuple(parsed.topics),
        time_known=parsed.published_time_known,
    )


def load_labelled():
    """[(candidate, event, split)] for every row of ``labels.csv``."""
    with open(HERE / "labels.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [
        (read_candidate(HERE / "briefs" / row["file"]), row["event"], row["split"])
        for row in rows
    ]


def load_filler():
    """The demo briefs, as background news of another source."""
    return [
        read_candidate(path, key=FILLER_PREFIX + path.stem) for path in sorted(DEMO.glob("*.txt"))
    ]


def score_pairs(labelled, filler):
    """{frozenset(key, key): StoryMatch} for every compared pair (threshold not applied)."""
    items = [candidate for candidate, _, _ in labelled]
    scores = {}
    for new in items:
        earlier = [
            other
            for other in items
            if (other.moment, other.key) < (new.moment, new.key)
        ]
        background = [
            dataclasses.replace(
                brief,
                published_at=new.published_at,
                time_known=new.time_known,
                source="background " + brief.source,
            )
            for brief in filler
        ]
        window = {other.key: other for other in earlier + background}
        picked = pick_candidates(
            index_tokens(new.title, new.dek, new.body),
            {key: index_tokens(o.title, o.dek, o.body) for key, o in window.items()},
        )
        compared = [window[key] for key in picked]
        for match in score_candidates(new, compared, threshold=1.1, max_days=MAX_DAYS):
            scores[frozenset((match.key, match.other))] = match
    return scores


def gold_pairs(labelled):
    """{frozenset(key, key)} of briefs labelled with one event."""
    by_event = {}
    for candidate, event, _ in labelled:
        by_event.setdefault(event, []).append(candidate.key)
    return {
        frozenset(pair)
        for keys in by_event.values()
        for pair in itertools.combinations(keys, 2)
    }


def predicted_pairs(labelled, filler, scores, threshold):
    """{frozenset(key, key)} of briefs that ``group_stories`` puts in one story."""
    matches = [
        dataclasses.replace(match, same_event=match.score >= threshold)
        for match in scores.values()
    ]
    candidates = [candidate for candidate, _, _ in labelled] + [
        dataclasses.replace(brief, source="background " + brief.source) for brief in filler
    ]
    stories = group_stories(candidates, matches)
    return {frozenset(pair) for story in stories for pair in itertools.combinations(story, 2)}


def split_metrics(labelled, predicted, gold):
    """Per split ("tune", "holdout", and "cross" for pairs spanning the two or the
    background): counts of gold pairs, found, missed, wrong; precision and recall."""
    split_of = {candidate.key: split for candidate, _, split in labelled}
    result = {}
    for split in ("tune", "holdout", "cross"):
        def in_split(pair):
            splits = {split_of.get(key, "background") for key in pair}
            return splits == {split} if split != "cross" else len(splits) > 1 or "background" in splits

        gold_here = {pair for pair in gold if in_split(pair)}
        predicted_here = {pair for pair in predicted if in_split(pair)}
        found = gold_here & predicted_here
        wrong = predicted_here - gold_here
        result[split] = {
            "gold": len(gold_here),
            "found": len(found),
            "missed": sorted(tuple(sorted(pair)) for pair in gold_here - predicted_here),
            "wrong": sorted(tuple(sorted(pair)) for pair in wrong),
            "precision": len(found) / len(predicted_here) if predicted_here else 1.0,
            "recall": len(found) / len(gold_here) if gold_here else 1.0,
        }
    return result


def choose_threshold(labelled, scores, gold, split="tune"):
    """The threshold read off one split: midway between its best-scoring wrong pair and
    its worst-scoring right pair; when they overlap, just above the best wrong one."""
    split_of = {candidate.key: s for candidate, _, s in labelled}
    here = {pair: match for pair, match in scores.items()
            if {split_of.get(key) for key in pair} == {split}}
    negative = max((m.score for p, m in here.items() if p not in gold), default=0.0)
    positive = min((m.score for p, m in here.items() if p in gold), default=1.0)
    if positive > negative:
        return round((positive + negative) / 2, 3)
    return round(negative + 0.001, 3)


def main():
    labelled, filler = load_labelled(), load_filler()
    scores, gold = score_pairs(labelled, filler), gold_pairs(labelled)
    chosen = choose_threshold(labelled, scores, gold)
    print(f"threshold read off the tuning half: {chosen} (THRESHOLD in similarity.py: {THRESHOLD})")
    for threshold in (0.25, 0.30, 0.35, THRESHOLD, 0.40, 0.45, 0.50):
        metrics = split_metrics(labelled, predicted_pairs(labelled, filler, scores, threshold), gold)
        print(f"threshold {threshold:.3f}: " + "; ".join(
            f"{name} P={m['precision']:.3f} R={m['recall']:.3f} "
            f"found {m['found']}/{m['gold']} wrong {len(m['wrong'])}"
            for name, m in metrics.items()
        ))
    metrics = split_metrics(labelled, predicted_pairs(labelled, filler, scores, THRESHOLD), gold)
    for name, m in metrics.items():
        print(name, "missed:", m["missed"], "wrong:", m["wrong"])
    ranked = sorted(scores.items(), key=lambda item: -item[1].score)
    print("closest wrong pairs:")
    for pair, match in [item for item in ranked if item[0] not in gold][:6]:
        print(f"  {match.score:.3f} (words {match.words:.3f}, facts {match.facts:.3f}, "
              f"{match.days_apart:.2f} days) {match.key} / {match.other}")
    print("weakest right pairs:")
    for pair, match in [item for item in ranked if item[0] in gold][-4:]:
        print(f"  {match.score:.3f} (words {match.words:.3f}, facts {match.facts:.3f}, "
              f"{match.days_apart:.2f} days) {match.key} / {match.other}")


if __name__ == "__main__":
    main()
