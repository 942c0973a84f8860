"""Checking JSON against the MUST assertions of the W3C Web Annotation Working Group's tests.

The group published its conformance tests as JSON Schemas (draft 04): each `*.test` file
lists assertion schemas, and the assertions share definitions (`definitions/*.json`)
through `$ref`. `W3CValidator` reads them from a local copy of the test suite, resolves
every `$ref` within that copy (never over the network), and reports which MUST
assertions a value fails. The tests use it on what annotations.w3c writes; an import or
an API can use it the same way, given the folder.

Pure: no Django. The folder is the web-annotation-tests checkout
(annotations/, collections/, definitions/).
"""

import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

# The .test files whose MUST assertions an annotation, a collection and a page must pass.
ANNOTATION_MUSTS = "annotations/annotationMusts.test"
COLLECTION_MUSTS = "collections/collectionMusts.test"
PAGE_MUSTS = "collections/pages/pageMusts.test"

# The schemas name two formats. jsonschema checks "uri" and "date-time" only with optional
# packages installed, and silently passes them otherwise; these checks stand in for them.
# An IRI here is absolute: a scheme (RFC 3986, 3.1), a colon, and no white space or
# control character.
_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s\x00-\x1f\x7f<>\"{}|\\^`]*")
# xsd:dateTime as RFC 3339 writes it; the zone is optional in xsd.
_DATE_TIME = re.compile(
    r"-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?", re.ASCII
)

FORMATS = FormatChecker(formats=())


@FORMATS.checks("uri")
def _is_uri(value) -> bool:
    return not isinstance(value, str) or bool(_ABSOLUTE_IRI.fullmatch(value))


@FORMATS.checks("date-time")
def _is_date_time(value) -> bool:
    if not isinstance(value, str):
        return True
    if not _DATE_TIME.fullmatch(value):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Failure:
    """A MUST assertion a value does not meet."""

    assertion: str
    message: str


@dataclass(frozen=True)
class _Assertion:
    name: str
    message: str
    validator: Draft4Validator


class W3CValidator:
    """The MUST assertions of the WG's tests, read once from `folder`."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.registry = self._definitions()
        self._loaded: dict[str, list[_Assertion]] = {}

    def _definitions(self) -> Registry:
        """The shared definitions, each under the id the assertions' `$ref`s name
        ("annotations.json", "id.json"…)."""
        resources = []
        for path in sorted((self.folder / "definitions").glob("*.json")):
            contents = json.loads(path.read_text(encoding="utf-8"))
            resource = Resource.from_contents(contents, default_specification=DRAFT4)
            resources.append((contents.get("id") or path.name, resource))
        return Registry().with_resources(resources)

    def assertions(self, test_file: str) -> list[_Assertion]:
        """The MUST assertions listed by a `.test` file (a path within the folder)."""
        if test_file not in self._loaded:
            test = json.loads((self.folder / test_file).read_text(encoding="utf-8"))
            loaded = []
            for name in test["assertions"]:
                # Entries can also be objects (groups of alternatives); the MUST tests
                # read here list file names only.
                if not isinstance(name, str):
                    continue
                schema = json.loads((self.folder / name).read_text(encoding="utf-8"))
                if schema.get("assertionType", "must") != "must":
                    continue
                validator = Draft4Validator(schema, registry=self.registry, format_checker=FORMATS)
                loaded.append(_Assertion(name, schema.get("errorMessage", name), validator))
            self._loaded[test_file] = loaded
        return self._loaded[test_file]

    def failures(self, value, test_file: str) -> list[Failure]:
        """The MUST assertions of `test_file` that `value` (parsed JSON) fails."""
        return [
            Failure(assertion.name, assertion.message)
            for assertion in self.assertions(test_file)
            if not assertion.validator.is_valid(value)
        ]

    def annotation_failures(self, value) -> list[Failure]:
        return self.failures(value, ANNOTATION_MUSTS)

    def collection_failures(self, value) -> list[Failure]:
        return self.failures(value, COLLECTION_MUSTS)

    def page_failures(self, value) -> list[Failure]:
        return self.failures(value, PAGE_MUSTS)

    def text_failures(self, text: str, test_file: str = ANNOTATION_MUSTS) -> list[Failure]:
        """As failures(), for a document as written: text that is not JSON at all fails
        every assertion, there being no value to check."""
        try:
            value = json.loads(text)
        except ValueError as error:
            return [Failure("JSON", f"ERROR: not JSON ({error}).")]
        return self.failures(value, test_file)
