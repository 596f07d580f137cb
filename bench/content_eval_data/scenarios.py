"""Scripted OpenAI answers for bench/content_eval.py: one scenario per failure mode of the OpenAI path.

An answer is written once, in the shape of the content model (a format, a hook, the content slides in
order, a summary and a call to action); ``wire_answer`` turns it into the JSON of whichever schema the
code under test asked for (``response_format`` of the request), so the same scenarios measure the code
before and after a change of schema. Each scenario says what must come out:

* ``own``: the model's own content (provider ``openai``), nothing added from elsewhere;
* ``fallback``: an honest fallback (another provider, the reason recorded), within ``max_s`` seconds;
* ``not_covered``: no carousel: the request ends ``topic_not_covered``, the reason recorded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


def slide(kind: str, title: str, body: str = "", **extra: Any) -> dict[str, Any]:
    return {"kind": kind, "title": title, "body": body, "emoji": extra.get("emoji"), "author": extra.get("author"),
            "code": extra.get("code")}


def answer(fmt: str, language: str, hook: str, subtitle: str, slides: list[dict], summary: str, cta: str,
           hashtags: list[str], caption: str = "") -> dict[str, Any]:
    return {"format": fmt, "language": language, "hook": hook, "subtitle": subtitle, "emoji": "✨", "slides": slides,
            "summary": summary, "cta": cta, "caption": caption or f"{hook}. {summary}", "hashtags": hashtags}


def _old_schema(a: dict[str, Any]) -> dict[str, Any]:
    """The same answer in the seed's draft schema (principles, quotes, concepts, keywords)."""
    principles, quotes, concepts = [], [], []
    for s in a["slides"]:
        if s["kind"] == "quote":
            quotes.append({"text": s["body"], "author": s["author"]})
        elif s["kind"] in ("code", "definition"):
            concepts.append({"term": s["title"], "definition": s["body"], "code": s["code"]})
        else:
            principles.append({"title": s["title"], "description": s["body"], "emoji": s["emoji"]})
    return {"title": a["hook"], "subtitle": a["subtitle"], "emoji": a["emoji"], "principles": principles,
            "quotes": quotes, "concepts": concepts, "keywords": [h.lstrip("#") for h in a["hashtags"]],
            "summary": a["summary"], "caption": a["caption"], "hashtags": a["hashtags"]}


def wire_answer(a: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
    """*a* in the JSON shape the request's schema asks for (the seed's when it names ``principles``)."""
    fmt = request.get("response_format") or {}
    schema = (fmt.get("json_schema") or {}).get("schema") or {}
    return _old_schema(a) if "principles" in schema.get("properties", {}) else a


def completion_body(content: str | None) -> dict[str, Any]:
    return {"id": "chatcmpl-eval", "object": "chat.completion", "created": 1_764_000_000, "model": "eval-model",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content, "refusal": None},
                         "finish_reason": "stop", "logprobs": None}],
            "usage": {"prompt_tokens": 400, "completion_tokens": 600, "total_tokens": 1000}}


@dataclass
class Step:
    """One scripted reply: an answer (JSON, optionally fenced), an HTTP error, a refusal or a delay."""

    answer: dict[str, Any] | None = None
    fenced: bool = False
    status: int = 200
    error: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    refusal: str | None = None
    delay_s: float = 0.0
    rejects_json_schema: bool = False  # a server that refuses response_format json_schema with a 400

    def reply(self, request: dict[str, Any]):
        from tests.unit.content.fake_openai_server import Reply

        fmt = (request.get("response_format") or {}).get("type")
        if self.rejects_json_schema and fmt == "json_schema":
            return Reply(status=400, body={"error": {
                "message": "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.",
                "type": "invalid_request_error", "param": "response_format", "code": None}})
        if self.status != 200:
            return Reply(status=self.status, headers=self.headers, delay_s=self.delay_s, body={"error": {
                "message": self.error or "error", "type": "server_error", "code": None, "param": None}})
        if self.refusal:
            body = completion_body(None)
            body["choices"][0]["message"]["refusal"] = self.refusal
            return Reply(body=body, delay_s=self.delay_s)
        text = json.dumps(wire_answer(self.answer or {}, request), ensure_ascii=False)
        if self.fenced:
            text = f"Here is the carousel:\n```json\n{text}\n```"
        return Reply(body=completion_body(text), delay_s=self.delay_s)


@dataclass
class Scenario:
    name: str
    mode: str  # the failure mode it scripts
    topic: str | None
    slides: int
    steps: list[Step]
    expect: str  # own | fallback | not_covered
    language: str = "en"
    source_text: str | None = None
    lang: str | None = None  # the user's /lang
    count: int | None = None  # content slides expected (own)
    order: bool = False  # the model's slide order must be kept
    reason: str | None = None  # the fallback reason expected (prefix)
    max_s: float = 10.0
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def answers(self) -> list[dict[str, Any]]:
        return [s.answer for s in self.steps if s.answer]


# --- the answers ----------------------------------------------------------------------------------

HABITS = answer("list", "en", "7 habits that make Python code last for years", "Small habits, fewer bugs.", [
    slide("point", "Name things for the reader", "A good name tells the next reader what a value means, so the code needs fewer comments.", emoji="🏷️"),
    slide("point", "Keep functions small", "A function that does one thing is easy to test, to reuse and to delete when it is no longer needed.", emoji="✂️"),
    slide("point", "Fail loudly and early", "Raise a clear error at the boundary instead of passing None deep into the system.", emoji="🚨"),
    slide("point", "Test the behaviour, not the code", "Tests that check what a function promises survive refactoring; tests of its internals do not.", emoji="🧪"),
    slide("practice", "One thing to do this week", "Pick one function you touched this week and give its worst name a better one.", emoji="🛠️"),
], "Good names, small functions, early errors and behaviour tests keep a codebase healthy.",
    "Save this for your next code review", ["#Python", "#CleanCode"])

REBASE = answer("x_vs_y", "en", "Rebase or merge? Pick the right one in 30 seconds", "Two ways to combine work.", [
    slide("point", "Rebase rewrites your commits", "Rebase replays your commits on top of main, so history reads as one straight line.", emoji="📏"),
    slide("code", "Rebase in practice", "Update your branch before you open the pull request.", code="git fetch origin\ngit rebase origin/main"),
    slide("point", "Merge keeps what happened", "A merge commit joins two histories without changing either, so shared branches stay safe.", emoji="🔀"),
    slide("point", "Which one to choose", "Rebase your own local work; merge branches other people have already pulled.", emoji="⚖️"),
], "Rebase for a tidy local history, merge for anything shared.", "Share this with your team", ["#Git", "#Rebase"])

MYTHS = answer("myth_vs_fact", "en", "4 unit testing myths that slow your team down", "What tests really cost.", [
    slide("point", "Myth: tests slow you down", "Fact: tests slow the first day and speed up every day after it, because changes stop breaking things silently."),
    slide("point", "Myth: 100% coverage means no bugs", "Fact: coverage shows which lines ran, not whether the assertions checked the right thing."),
    slide("point", "Myth: mocks make tests better", "Fact: every mock is an assumption; too many of them test the mocks instead of the code."),
    slide("point", "Myth: UI tests are enough", "Fact: a few UI tests on top of many fast unit tests find bugs sooner and break less often."),
], "Tests are an investment: cheap to start, expensive to skip.", "Follow for more testing tips", ["#UnitTesting", "#TDD"])

STORY = answer("story", "en", "We cut our AWS bill in half in six weeks", "What we changed, and what we learned.", [
    slide("point", "The problem", "Our AWS bill doubled in a year while traffic grew by only a fifth."),
    slide("point", "What we found", "Idle development databases and oversized instances made up 60 percent of the spend."),
    slide("point", "What we changed", "Databases now stop at night, and every instance is resized from its real usage every month."),
], "Measure first: the biggest savings were in resources nobody used.", "Save this before your next budget review",
    ["#AWS", "#FinOps"])

CLEAN_SHORT = answer("list", "en", "5 clean code habits worth building this month", "Small habits, big difference.", [
    slide("point", "Delete dead code", "Unused code still has to be read, compiled and kept compatible. Delete it; Git remembers."),
    slide("point", "One level of abstraction", "A function should read at one level: either the steps of a process or the details of one step."),
], "Clean code is a set of small habits, not a rewrite.", "Save this and try one habit today", ["#CleanCode"])

CLEAN_FULL = answer("list", "en", "5 clean code habits worth building this month", "Small habits, big difference.", [
    slide("point", "Delete dead code", "Unused code still has to be read, compiled and kept compatible. Delete it; Git remembers."),
    slide("point", "One level of abstraction", "A function should read at one level: either the steps of a process or the details of one step."),
    slide("point", "Prefer early returns", "Handle the edge cases first and return, so the main path is not buried in nested conditions."),
    slide("point", "Make invalid states impossible", "Model data so that a wrong combination cannot be built, instead of checking for it everywhere."),
    slide("point", "Leave it better", "Each time you touch a file, fix one small thing: a name, a comment, a missing test."),
], "Clean code is a set of small habits, not a rewrite.", "Save this and try one habit today", ["#CleanCode"])

BURNOUT = answer("list", "en", "3 early signs of burnout in software teams", "Notice them before they cost you people.", [
    slide("point", "Cynicism about the work", "People stop caring whether a feature works for users and talk only about getting tickets closed."),
    slide("point", "Constant context switching", "Nobody has two quiet hours in a row, so deep work moves to evenings and weekends."),
], "Burnout shows in habits before it shows in resignations.", "Share this with your manager", ["#Burnout", "#EngineeringManagement"])

TYPE_HINTS_MD = answer("list", "en", "**Python type hints** in 3 quick wins", "Catch bugs *before* you run the code.", [
    slide("point", "**Annotate** public functions", "Start with the functions other modules call: `def load(path: Path) -> Config` documents itself."),
    slide("point", "# Use `Optional` honestly", "- If a function can return `None`, say so in the type, and the checker will ask every caller to handle it."),
    slide("point", "Run **mypy** in CI", "A [type checker](https://mypy.readthedocs.io) that only runs on your laptop is a type checker that does not run."),
], "Types are documentation that the **computer** checks.", "Save this for your next refactor", ["#Python", "#TypeHints"])

PURE_EN = answer("list", "en", "Pure functions in Python: 3 reasons to use them", "Predictable code.", [
    slide("point", "Same input, same output", "A pure function always returns the same result for the same arguments."),
    slide("point", "Easy to test", "No setup and no mocks: call it and compare the result."),
    slide("point", "Safe to cache", "Because the result depends only on the arguments, it can be cached."),
], "Pure functions make code predictable.", "Save this post", ["#Python"])

PURE_RU = answer("list", "ru", "Чистые функции в Python: 3 причины их любить", "Предсказуемый код.", [
    slide("point", "Один вход — один результат", "Чистая функция всегда возвращает один и тот же результат для одних и тех же аргументов."),
    slide("point", "Легко тестировать", "Никакой подготовки и моков: вызовите функцию и сравните результат."),
    slide("point", "Можно кешировать", "Результат зависит только от аргументов, поэтому его можно сохранить и переиспользовать."),
], "Чистые функции делают код предсказуемым.", "Сохраните пост, чтобы не потерять", ["#Python", "#ЧистыйКод"])

CLEAN_ARCH_EN = answer("principles", "en", "Clean architecture in 3 rules", "Dependencies point inward.", [
    slide("point", "Dependencies point inward", "Business rules know nothing about frameworks, databases or the web."),
    slide("point", "Use cases in the middle", "Each use case is one class or function that the delivery layer calls."),
    slide("point", "Adapters at the edge", "Databases and APIs are plugged in through interfaces the core defines."),
], "Keep the core independent of the details.", "Save this post", ["#CleanArchitecture"])

LONG_SENTENCES = (
    "Start by reading the description of the change, because it tells you what the author meant to do. "
    "Then read the tests, which show what the change promises to keep working. "
    "Only then open the diff itself and check that it does what the description says. "
    "Leave comments on the code and never on the person who wrote it, and explain the reason behind each one. "
    "Finish with a clear verdict so the author knows whether the change can be merged today."
)
REVIEW_LONG = answer("how_to", "en", "How to review a pull request in 4 steps", "A calm, repeatable routine.", [
    slide("point", "Step 1: read the description", LONG_SENTENCES),
    slide("point", "Step 2: read the tests", "The tests come second. " + LONG_SENTENCES),
    slide("point", "Step 3: read the diff", "The diff comes last. " + LONG_SENTENCES),
], "Description, tests, diff, verdict: every time.", "Save this for your next review", ["#CodeReview"])
REVIEW_SHORT = answer("how_to", "en", "How to review a pull request in 4 steps", "A calm, repeatable routine.", [
    slide("point", "Step 1: read the description", "It tells you what the author meant to do, so you can judge the change against it."),
    slide("point", "Step 2: read the tests", "They show what the change promises to keep working, before you read the code."),
    slide("point", "Step 3: read the diff", "Check that it does what the description says, and comment on the code, never the person."),
], "Description, tests, diff, verdict: every time.", "Save this for your next review", ["#CodeReview"])

OBSERVABILITY = answer("principles", "en", "Observability basics: 3 signals you need", "Logs, metrics, traces.", [
    slide("point", "Logs tell what happened", "Structured logs with a correlation id let you follow one request through every service."),
    slide("point", "Metrics tell how much", "Counters and histograms show trends and trigger alerts before users notice."),
    slide("point", "Traces tell where", "A trace shows which service made a request slow, span by span."),
], "Use all three: each answers a different question.", "Follow for more", ["#Observability"])

LISTICLE_TEXT = """10 habits of effective code reviewers

1. Review small pull requests first
2. Read the description before the diff
3. Run the code when the change is risky
4. Ask questions instead of giving orders
5. Separate blocking issues from nitpicks
6. Praise good decisions, not only problems
7. Check the tests as carefully as the code
8. Look for missing error handling
9. Answer within one working day
10. Approve once it is good enough, not perfect"""
LISTICLE_ANSWER = answer("list", "en", "10 habits of effective code reviewers", "From the text.", [
    slide("point", "Before you read the code", "1. Review small pull requests first\n2. Read the description before the diff\n3. Run the code when the change is risky"),
    slide("point", "How to comment", "4. Ask questions instead of giving orders\n5. Separate blocking issues from nitpicks\n6. Praise good decisions, not only problems"),
    slide("point", "What to check", "7. Check the tests as carefully as the code\n8. Look for missing error handling"),
    slide("point", "How to finish", "9. Answer within one working day\n10. Approve once it is good enough, not perfect"),
], "Small, kind, thorough and quick reviews.", "", [])

GERMAN = answer("principles", "de", "Saubere Architektur in Python: 3 Regeln", "Abhängigkeiten zeigen nach innen.", [
    slide("point", "Abhängigkeiten zeigen nach innen", "Die Geschäftslogik kennt weder das Framework noch die Datenbank."),
    slide("point", "Anwendungsfälle in der Mitte", "Jeder Anwendungsfall ist eine Funktion, die von außen aufgerufen wird."),
    slide("point", "Adapter am Rand", "Datenbanken und APIs werden über Schnittstellen angeschlossen, die der Kern definiert."),
], "Halte den Kern unabhängig von den Details.", "Speichere diesen Beitrag", ["#Python", "#Architektur"])

DOCKER_MANY = answer("list", "en", "8 Docker tips for smaller, faster images", "Build less, ship faster.", [
    slide("point", f"Tip {i}: {t}", b) for i, (t, b) in enumerate([
        ("use multi-stage builds", "Build in one stage and copy only the result into a slim final image."),
        ("pin base images", "A pinned tag or digest makes builds reproducible."),
        ("order layers by change", "Put what changes least first so the cache is reused."),
        ("add a .dockerignore", "Keep the build context small and free of secrets."),
        ("run as non-root", "A container that does not need root should not have it."),
        ("one process per container", "Let the orchestrator restart and scale each process."),
        ("scan images", "Check images for known vulnerabilities in CI."),
        ("keep images small", "Smaller images pull faster and expose less."),
    ], start=1)
], "Multi-stage builds, pinned bases and a good cache order do most of the work.", "Save this for your next Dockerfile",
    ["#Docker"])

EMPTY = answer("list", "en", "Nothing", "", [], "", "", [])


SCENARIOS: list[Scenario] = [
    Scenario("good-list", "a good answer (list format)", "Habits of reliable Python code", 7, [Step(HABITS)], "own",
             count=5, order=True),
    Scenario("x-vs-y-order", "the model's slide order (X vs Y, with a code slide)", "Git rebase vs merge", 6,
             [Step(REBASE)], "own", count=4, order=True),
    Scenario("myth-vs-fact", "myth vs fact format", "Myths about unit testing", 6, [Step(MYTHS)], "own", count=4,
             order=True),
    Scenario("story", "story format", "How we cut our AWS bill", 5, [Step(STORY)], "own", count=3, order=True),
    Scenario("short-then-repaired", "a short answer, repaired on request", "Clean code habits", 7,
             [Step(CLEAN_SHORT), Step(CLEAN_FULL)], "own", count=5, order=True),
    Scenario("short-twice", "a short answer twice: an honest shorter carousel", "Burnout in software teams", 6,
             [Step(BURNOUT), Step(BURNOUT)], "own", count=2),
    Scenario("markdown", "markdown inside fields", "Python type hints", 5, [Step(TYPE_HINTS_MD)], "own", count=3),
    Scenario("wrong-language", "an answer in the wrong language, corrected", "Чистые функции в Python", 5,
             [Step(PURE_EN), Step(PURE_RU)], "own", language="ru", count=3),
    Scenario("wrong-language-twice", "the wrong language twice: an honest fallback", "Чистая архитектура", 5,
             [Step(CLEAN_ARCH_EN), Step(CLEAN_ARCH_EN)], "fallback", language="ru", reason="wrong_language"),
    Scenario("overlong-then-fixed", "overlong fields, rewritten on request", "How to review a pull request", 5,
             [Step(REVIEW_LONG), Step(REVIEW_SHORT)], "own", count=3),
    Scenario("overlong-twice", "overlong fields twice: shortened on sentence boundaries", "How to review a pull request",
             5, [Step(REVIEW_LONG), Step(REVIEW_LONG)], "own", count=3),
    Scenario("fenced-json", "a ```json fenced answer", "Observability basics", 5, [Step(OBSERVABILITY, fenced=True)],
             "own", count=3),
    Scenario("no-json-schema", "a server without json_schema support", "Observability basics", 5,
             [Step(OBSERVABILITY, rejects_json_schema=True, fenced=True)], "own", count=3),
    Scenario("retry-after-30", "429 with Retry-After: 30 (beyond the budget)", "TDD", 5,
             [Step(status=429, error="Rate limit reached", headers={"retry-after": "30"})], "fallback",
             reason="rate_limited", max_s=2.0, settings={"openai_backoff_s": 0.5}),
    Scenario("server-down", "503 on every attempt", "TDD", 5, [Step(status=503, error="overloaded")], "fallback",
             reason="server_error_503", max_s=5.0),
    Scenario("timeout", "no answer within the timeout", "TDD", 5, [Step(OBSERVABILITY, delay_s=2.0)], "fallback",
             reason="timeout", max_s=6.0, settings={"openai_timeout_s": 0.4}),
    Scenario("refusal", "a refusal", "SOLID principles", 5, [Step(refusal="I can't help with that.")], "fallback",
             reason="refusal", max_s=3.0),
    Scenario("empty-answer", "an answer without content slides", "SOLID principles", 5, [Step(EMPTY)], "fallback",
             reason="empty_content", max_s=5.0),
    Scenario("uncovered-fallback", "provider down and a topic the notes do not cover", "Sourdough bread baking at home",
             5, [Step(status=500, error="boom")], "not_covered", reason="server_error_500", max_s=5.0),
    Scenario("pasted-text", "a pasted list, every item kept", None, 6, [Step(LISTICLE_ANSWER)], "own",
             source_text=LISTICLE_TEXT, count=4, order=True),
    Scenario("other-language", "any language the user writes in (German)", "Saubere Architektur in Python", 5,
             [Step(GERMAN)], "own", language="de", count=3, order=True),
    Scenario("too-many-slides", "more slides than asked for", "Docker tips", 5, [Step(DOCKER_MANY)], "own", count=3,
             order=True),
]
