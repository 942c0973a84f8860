import json
import shutil
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from annotations.demo import DEMO_CORPUS, DEMO_PASSWORD, manifest_files
from annotations.models import Annotation, Claim
from sources.models import Article, Outlet, Passage, Story

pytestmark = pytest.mark.django_db


def demo_spec():
    return json.loads((DEMO_CORPUS / "annotations.json").read_text(encoding="utf-8"))


def run_demo():
    out = StringIO()
    call_command("demo", "--no-serve", stdout=out)
    return out.getvalue()


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Outlet, Story, Article, Passage, Claim, Annotation)
    }


def test_it_loads_every_file_claim_and_annotation():
    output = run_demo()

    spec = demo_spec()
    assert Outlet.objects.count() >= 4
    assert Story.objects.count() == 1
    assert sorted(Article.objects.values_list("source_name", flat=True)) == sorted(
        manifest_files(DEMO_CORPUS)
    )
    assert Claim.objects.count() == len(spec["claims"])
    assert Annotation.objects.count() == len(spec["annotations"])
    assert "editor / parallax-demo" in output


def test_it_anchors_each_annotation_on_its_exact_quote():
    run_demo()

    for annotation in Annotation.objects.select_related("article"):
        assert annotation.exact == annotation.article.text[annotation.start : annotation.end]
        assert annotation.author.username == "editor"
        assert annotation.tags.exists()


def test_it_shows_claims_carried_by_several_outlets():
    run_demo()

    outlets_per_claim = [
        claim.annotations.values("article__outlet").distinct().count()
        for claim in Claim.objects.all()
    ]
    assert all(2 <= n <= 4 for n in outlets_per_claim)
    statuses = set(Claim.objects.values_list("status", flat=True))
    assert statuses == {Claim.Status.PUBLISHED, Claim.Status.DRAFT}


def test_running_it_again_creates_nothing():
    run_demo()
    before = counts()

    output = run_demo()

    assert counts() == before
    assert f"Articles:    0 created, {len(manifest_files(DEMO_CORPUS))} already there" in output
    assert f"Annotations: 0 created, {len(demo_spec()['annotations'])} already there" in output
    assert "password was left unchanged" in output


def test_the_demo_accounts_can_log_in(client, django_user_model):
    run_demo()
    run_demo()

    assert client.login(username="editor", password=DEMO_PASSWORD)
    assert client.login(username="moderator", password=DEMO_PASSWORD)
    editor = django_user_model.objects.get(username="editor")
    assert not editor.is_staff
    assert editor.groups.filter(name="editors").exists()


def test_it_fails_loudly_when_a_quote_is_not_in_the_text(tmp_path, monkeypatch):
    corpus = tmp_path / "demo_corpus"
    shutil.copytree(DEMO_CORPUS, corpus)
    spec = demo_spec()
    spec["annotations"][-1]["exact"] = "words no outlet printed"
    (corpus / "annotations.json").write_text(json.dumps(spec), encoding="utf-8")
    monkeypatch.setattr("annotations.demo.DEMO_CORPUS", corpus)

    with pytest.raises(CommandError, match=r"tidelines-interview\.txt: .*words no outlet printed"):
        run_demo()

    assert Annotation.objects.count() == 0
    assert Claim.objects.count() == 0


# TRUNCATE, as flush runs it, needs no transaction around it on PostgreSQL. The
# rows the migrations made (the vocabulary) are restored first: another
# transactional test may have emptied the tables before this one.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_reset_starts_the_demo_afresh():
    run_demo()
    claim = Claim.objects.first()
    claim.statement = "Changed by someone trying the demo"
    claim.save()
    Article.objects.first().delete()

    out = StringIO()
    call_command("demo", "--no-serve", "--reset", "--no-input", stdout=out)

    assert "Emptied the database" in out.getvalue()
    assert not Claim.objects.filter(statement="Changed by someone trying the demo").exists()
    assert Article.objects.count() == len(manifest_files(DEMO_CORPUS))
    assert Annotation.objects.count() == len(demo_spec()["annotations"])


def test_reset_asks_first_and_keeps_everything_on_no(monkeypatch):
    run_demo()
    before = counts()
    monkeypatch.setattr("builtins.input", lambda prompt: "no")

    with pytest.raises(CommandError, match="nothing was deleted"):
        call_command("demo", "--no-serve", "--reset", stdout=StringIO())

    assert counts() == before
