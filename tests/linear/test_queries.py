"""Every operation the connector can send validates against Linear's published schema, and stays cheap."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import GraphQLSchema, OperationDefinitionNode, build_schema, parse, validate

from connectors.linear import queries
from connectors.linear.complexity import MAX_QUERY_COMPLEXITY, estimate_complexity
from connectors.linear.connector import NEEDS_PER_ISSUE, PAGE_COMPLEXITY_TARGET, LinearConnector
from connectors.linear.sandbox.app import SCHEMA_PATH, linear_schema

SHARED_SCHEMA = Path(__file__).resolve().parents[3] / "shared" / "api-specs" / "linear-schema.graphql"


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    """The shared copy of Linear's schema when the checkout has it beside it (CI does), else the packaged copy."""
    if SHARED_SCHEMA.is_file():
        return build_schema(SHARED_SCHEMA.read_text(encoding="utf-8"))
    return linear_schema()


def test_the_sandbox_ships_the_published_schema_unchanged() -> None:
    if not SHARED_SCHEMA.is_file():
        pytest.skip("../shared/api-specs is not beside this checkout")
    assert SCHEMA_PATH.read_bytes() == SHARED_SCHEMA.read_bytes()


@pytest.mark.parametrize("name", sorted(queries.OPERATIONS))
def test_operation_is_valid_against_linears_schema(schema: GraphQLSchema, name: str) -> None:
    document = parse(queries.OPERATIONS[name])
    assert [e.message for e in validate(schema, document)] == []
    (operation,) = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    assert operation.name is not None and operation.name.value == name


def test_a_misspelt_field_fails_validation(schema: GraphQLSchema) -> None:
    broken = queries.ISSUES.replace("identifier", "identifer")
    messages = [e.message for e in validate(schema, parse(broken))]
    assert messages == ["Cannot query field 'identifer' on type 'Issue'. Did you mean 'identifier'?"]


def test_every_query_constant_is_listed_in_operations() -> None:
    constants = {v for k, v in vars(queries).items() if k.isupper() and isinstance(v, str)}
    assert constants == set(queries.OPERATIONS.values())


def _all_switches_on(first: int) -> dict[str, object]:
    return {
        "first": first,
        "withEstimate": True,
        "withPriority": True,
        "withDescription": True,
        "withNeeds": True,
        "needsFirst": NEEDS_PER_ISSUE,
        "withAttachment": True,
        "attachmentPrefix": "https://x/",
        "withComments": True,
        "commentMarker": "syncer:comment",
    }


def test_issue_page_is_shrunk_until_it_stays_well_under_the_complexity_cap() -> None:
    everything = _all_switches_on(250)
    assert estimate_complexity(parse(queries.ISSUES), everything) > MAX_QUERY_COMPLEXITY
    size = LinearConnector.page_size(everything)
    assert 50 <= size < 250
    assert estimate_complexity(parse(queries.ISSUES), {**everything, "first": size}) <= PAGE_COMPLEXITY_TARGET
    # The largest such page: one more issue would cost more than the target (fewer, fuller pages).
    assert estimate_complexity(parse(queries.ISSUES), {**everything, "first": size + 1}) > PAGE_COMPLEXITY_TARGET


def test_fields_the_config_does_not_need_are_not_paid_for() -> None:
    lean = {**_all_switches_on(250), "withNeeds": False, "withComments": False, "withDescription": False}
    assert LinearConnector.page_size(lean) == 250


def test_complexity_matches_linears_documented_example() -> None:
    # linear.app/developers/rate-limiting: 66 points with the default page of 50, 14 with first: 10.
    assert estimate_complexity(parse("{ issues { nodes { id title createdAt } } }")) == 66
    assert estimate_complexity(parse("{ issues(first: 10) { nodes { id title createdAt } } }")) == 14
